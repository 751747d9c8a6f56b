/**
 * The deterministic migration order: workers first, in natural name order (worker-2 before worker-10);
 * control-plane nodes after every worker and only when enabled; the node running the coordinator last
 * among its kind.
 */
import { compareNatural } from '../../shared/natural-order.js';

export interface NodeSummary {
  name: string;
  controlPlane: boolean;
}

export interface OrderingOptions {
  includeControlPlane: boolean;
  /** The node the coordinator runs on (migrated last among its kind). */
  selfNode: string | undefined;
}

function byName(self: string | undefined) {
  return (a: NodeSummary, b: NodeSummary): number => {
    if (a.name === self) return 1;
    if (b.name === self) return -1;
    return compareNatural(a.name, b.name);
  };
}

export function migrationOrder(nodes: readonly NodeSummary[], opts: OrderingOptions): string[] {
  const workers = nodes.filter((n) => !n.controlPlane).sort(byName(opts.selfNode));
  const controlPlane = opts.includeControlPlane
    ? nodes.filter((n) => n.controlPlane).sort(byName(opts.selfNode))
    : [];
  return [...workers, ...controlPlane].map((n) => n.name);
}

export interface CandidateInput {
  /** Nodes in scope. */
  nodes: readonly NodeSummary[];
  /** Nodes that have not started (phase Pending). */
  pending: ReadonlySet<string>;
  /** Nodes that are finished (Done or RolledBack). */
  finished: ReadonlySet<string>;
  opts: OrderingOptions;
  /** `migrationOrder(nodes, opts)` when the caller already has it (it is not sorted again). */
  order?: readonly string[] | undefined;
}

/**
 * The pending nodes in the order they may be granted. Control-plane nodes become candidates only once
 * every worker in scope is finished.
 */
export function grantCandidates(i: CandidateInput): string[] {
  const order = i.order ?? migrationOrder(i.nodes, i.opts);
  const workersFinished = i.nodes.filter((n) => !n.controlPlane).every((n) => i.finished.has(n.name));
  const cp = new Set(i.nodes.filter((n) => n.controlPlane).map((n) => n.name));
  return order.filter((n) => i.pending.has(n) && (workersFinished || !cp.has(n)));
}
