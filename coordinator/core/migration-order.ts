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
