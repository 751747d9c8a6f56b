/**
 * A round of orders over every node, k at a time (the promotion's revalidation, the cleanup): a node's
 * entry is recorded (Running, with its order id) before its order is issued, so a restarted coordinator
 * re-issues the same order id (which the agent answers from its first run) and never orders a node twice.
 * Pure.
 */
import type { NodeRound } from './record.js';

/** The result an agent reported for a node's current stage order (recorded on the Node). */
export interface NodeResult {
  orderId: string;
  outcome: 'succeeded' | 'failed' | 'refused';
  message: string;
  /** Cleanup: Calico items found before, by kind, and left afterwards. */
  found?: Record<string, number>;
  left?: number;
  leftByKind?: Record<string, number>;
}

export interface RoundInput {
  entries: readonly NodeRound[];
  /** Nodes in scope, in migration order. */
  nodes: readonly string[];
  results: ReadonlyMap<string, NodeResult>;
  concurrency: number;
  now: Date;
  timeoutMs: number;
  orderIdOf: (node: string) => string;
  /** A round whose entries move in steps (the reboot): how a running entry moves on, and how one starts. */
  settle?: (e: NodeRound) => NodeRound;
  start?: (e: NodeRound) => NodeRound;
}

export interface RoundOutcome {
  entries: NodeRound[];
  changed: boolean;
  /** The first node that failed, with why. */
  failed: NodeRound | undefined;
  /** Every node is Done. */
  done: boolean;
}

function settle(e: NodeRound, i: RoundInput): NodeRound {
  if (e.state !== 'Running') return e;
  const r = i.results.get(e.name);
  if (r && r.orderId === e.orderId) {
    const counts = { ...(r.found ? { found: r.found } : {}), ...(r.left !== undefined ? { left: r.left } : {}), ...(r.leftByKind ? { leftByKind: r.leftByKind } : {}) };
    return { ...e, ...counts, state: r.outcome === 'succeeded' ? 'Done' : 'Failed', message: `${r.outcome}: ${r.message}`.slice(0, 4096) };
  }
  if (i.now.getTime() - new Date(e.since).getTime() >= i.timeoutMs) {
    return { ...e, state: 'Failed', message: `no result within ${Math.round(i.timeoutMs / 1000)}s` };
  }
  return e;
}

export function advanceRound(i: RoundInput): RoundOutcome {
  const settled = i.entries.map((e) => (i.settle && e.state === 'Running' ? i.settle(e) : settle(e, i)));
  let changed = settled.some((e, idx) => e !== i.entries[idx]);
  const failed = settled.find((e) => e.state === 'Failed');
  const entries = [...settled];
  if (!failed) {
    const seen = new Set(entries.map((e) => e.name));
    let running = entries.filter((e) => e.state === 'Running').length;
    for (const name of i.nodes) {
      if (running >= i.concurrency) break;
      if (seen.has(name)) continue;
      const e: NodeRound = { name, state: 'Running', since: i.now.toISOString(), orderId: i.orderIdOf(name) };
      entries.push(i.start ? i.start(e) : e);
      running += 1;
      changed = true;
    }
  }
  const done = i.nodes.every((n) => entries.some((e) => e.name === n && e.state === 'Done'));
  return { entries, changed, failed, done };
}
