/**
 * Which nodes the rollout covers: those the Migration's label selector selects (the API server evaluates
 * it, so the selector syntax is exactly kubectl's), minus control-plane nodes unless included. The API is
 * asked again only when the selector or some node's labels changed (other than the Cilium migration
 * label the rollout itself sets; a selector on that label is not supported).
 */
import { CILIUM_MIGRATION_LABEL } from '../../shared/names.js';
import type { NodesApi } from '../kube/nodes.js';
import type { MigrationSpec } from '../core/migration-spec.js';
import type { NodeView } from './node-view.js';
import { summaryOf } from './rollout.js';

/**
 * A node's labels less the Cilium migration label, which this rollout sets on every node it migrates:
 * asking the API again for each of those would cost a cluster-wide LIST per node.
 */
function withoutOwnLabel(labels: Record<string, string> | undefined): Record<string, string> {
  const { [CILIUM_MIGRATION_LABEL]: _own, ...rest } = labels ?? {};
  return rest;
}

export class RolloutScope {
  private key: string | undefined;
  private selected = new Set<string>();

  constructor(
    private readonly nodes: NodesApi,
    private readonly view: NodeView,
  ) {}

  async names(spec: MigrationSpec | undefined): Promise<string[]> {
    if (!spec) return [];
    const all = this.view.names();
    const selected = spec.nodeSelector ? await this.selectedBy(spec.nodeSelector, all) : new Set(all);
    return all.filter((n) => {
      const node = this.view.get(n);
      return selected.has(n) && node !== undefined && (spec.includeControlPlane || !summaryOf(node).controlPlane);
    });
  }

  private async selectedBy(selector: string, names: string[]): Promise<Set<string>> {
    const labels = names.map((n) => [n, withoutOwnLabel(this.view.get(n)?.metadata?.labels)]);
    const key = JSON.stringify([selector, labels]);
    if (key !== this.key) {
      this.selected = new Set(await this.nodes.namesMatching(selector));
      this.key = key;
    }
    return this.selected;
  }
}
