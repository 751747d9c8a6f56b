/** How long nodes spent in each phase, from the phase annotation as the node watch delivers it. */
import type { V1Node } from '@kubernetes/client-node';
import { NodeAnnotation } from '../../../shared/names.js';

export class PhaseClock {
  private readonly current = new Map<string, { phase: string; since: number }>();
  private readonly totals = new Map<string, { ms: number; n: number }>();

  observe(node: V1Node, atMs: number): void {
    const name = node.metadata?.name ?? '';
    const phase = node.metadata?.annotations?.[NodeAnnotation.phase] ?? 'Pending';
    const was = this.current.get(name);
    if (was?.phase === phase) return;
    if (was) {
      const t = this.totals.get(was.phase) ?? { ms: 0, n: 0 };
      t.ms += atMs - was.since;
      t.n += 1;
      this.totals.set(was.phase, t);
    }
    this.current.set(name, { phase, since: atMs });
  }

  /** How many nodes are in each phase now. */
  counts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const { phase } of this.current.values()) out[phase] = (out[phase] ?? 0) + 1;
    return out;
  }

  /** Mean milliseconds per phase left. */
  meanMs(): Record<string, number> {
    return Object.fromEntries([...this.totals].map(([p, t]) => [p, Math.round((t.ms / t.n) * 10) / 10]));
  }
}
