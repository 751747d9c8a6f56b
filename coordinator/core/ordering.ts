/**
 * The deterministic migration order: workers first, sorted by name; control-plane nodes after every
 * worker and only when enabled; the node running the coordinator last among its kind.
 */
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
    return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
  };
}

export function migrationOrder(nodes: readonly NodeSummary[], opts: OrderingOptions): string[] {
  const workers = nodes.filter((n) => !n.controlPlane).sort(byName(opts.selfNode));
  const controlPlane = opts.includeControlPlane
    ? nodes.filter((n) => n.controlPlane).sort(byName(opts.selfNode))
    : [];
  return [...workers, ...controlPlane].map((n) => n.name);
}
