/**
 * Reconciles nodes one at a time each, many nodes at once: an event about a node reconciles that node
 * alone, at once, whatever else is in progress (a hand-off does not wait for a pass over other nodes).
 * Reconciles of one node never overlap; wakes during one cause exactly one more. A failed reconcile is
 * retried after a second. Stopping clears the retry timers and waits for the reconciles in progress.
 */
import { describeError } from '../../shared/errors.js';
import { nodeLogger, type Logger } from '../../shared/logger.js';

const RETRY_FAILED_NODE_MS = 1000;

export class NodeWorkers {
  private readonly dirty = new Set<string>();
  private readonly running = new Map<string, Promise<void>>();
  private readonly retryTimers = new Set<NodeJS.Timeout>();
  private stopped = true;

  constructor(
    private readonly reconcile: (node: string) => Promise<void>,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.stopped = false;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.retryTimers.forEach((t) => clearTimeout(t));
    this.retryTimers.clear();
    await Promise.all(this.running.values());
  }

  /** Asks for a reconcile of `node` now, or after `afterMs` (a retry). */
  wake(node: string, afterMs?: number): void {
    if (this.stopped) return;
    if (afterMs === undefined) {
      void this.run(node);
      return;
    }
    const t = setTimeout(() => {
      this.retryTimers.delete(t);
      this.wake(node);
    }, afterMs);
    this.retryTimers.add(t);
  }

  /** Reconciles `node` (once more after the reconcile in progress, if one is); resolves when that is done. */
  run(node: string): Promise<void> {
    if (this.stopped) return Promise.resolve();
    this.dirty.add(node);
    let running = this.running.get(node);
    if (running === undefined) {
      running = this.loop(node);
      this.running.set(node, running);
    }
    return running;
  }

  /** As PassLoop's: the loop forgets itself in the same step as its last look at `dirty` (no lost wake). */
  private async loop(node: string): Promise<void> {
    await Promise.resolve();
    try {
      while (this.dirty.has(node) && !this.stopped) {
        this.dirty.delete(node);
        try {
          await this.reconcile(node);
        } catch (e) {
          nodeLogger(this.log, node, 'unknown').error({ err: describeError(e) }, 'reconcile failed; retrying');
          this.wake(node, RETRY_FAILED_NODE_MS);
        }
      }
    } finally {
      this.running.delete(node);
      this.dirty.delete(node);
    }
  }
}
