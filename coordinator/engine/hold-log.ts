/**
 * Logs why a node is held back, once per change: the core's reason is the log line. A node no longer
 * held is forgotten, so a later hold is logged again.
 */
import { nodeLogger, type Logger } from '../../shared/logger.js';
import type { Hold } from '../core/rollout.js';

export class HoldLog {
  private last = new Map<string, string>();

  constructor(private readonly log: Logger) {}

  update(held: readonly Hold[], phaseOf: (node: string) => string): void {
    const next = new Map(held.map((h) => [h.node, h.reason]));
    for (const h of held) {
      if (this.last.get(h.node) !== h.reason) nodeLogger(this.log, h.node, phaseOf(h.node)).info({ held: h.by }, h.reason);
    }
    this.last = next;
  }
}
