/**
 * Which nodes the rollout covers: those the Migration's label selector selects (the API server evaluates
 * it, so the selector syntax is exactly kubectl's), minus control-plane nodes unless included. The API is
 * asked again only when the selector or some node's labels changed (other than the labels the rollout
 * itself sets, the Cilium migration label and the phase; a selector on those is not supported).
 */
import { CILIUM_MIGRATION_LABEL, PHASE_LABEL } from '../../shared/names.js';
import type { NodesApi } from '../kube/nodes.js';
import type { MigrationSpec } from '../core/migration-spec.js';
import type { NodeView } from './node-view.js';
import { migrationOrder } from '../core/migration-order.js';
import { summaryOf } from './rollout.js';

/**
 * A node's labels less those this rollout sets on every node it migrates (the Cilium migration label, the
 * phase): asking the API again for each of those would cost a cluster-wide LIST per node and phase.
 */
function withoutOwnLabels(labels: Record<string, string> | undefined): Record<string, string> {
  const { [CILIUM_MIGRATION_LABEL]: _label, [PHASE_LABEL]: _phase, ...rest } = labels ?? {};
  return rest;
}

export interface ScopeLayout {
  inScope: Set<string>;
  /** Every known node's name, kind and zone. */
  summaries: ReturnType<typeof summaryOf>[];
  /** The nodes in scope in migration order. */
  order: string[];
}

export class RolloutScope {
  private key: string | undefined;
  private selected = new Set<string>();

  constructor(
    private readonly nodes: NodesApi,
    private readonly view: NodeView,
  ) {}

  /** The nodes in scope, every node's summary, and the migration order. */
  async layout(spec: MigrationSpec | undefined, selfNode: string | undefined): Promise<ScopeLayout> {
    const inScope = new Set(await this.names(spec));
    const summaries = this.view.names().flatMap((n) => {
      const node = this.view.get(n);
      return node ? [summaryOf(node)] : [];
    });
    const opts = { includeControlPlane: spec?.includeControlPlane ?? true, selfNode };
    return { inScope, summaries, order: migrationOrder(summaries.filter((s) => inScope.has(s.name)), opts) };
  }

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
    const labels = names.map((n) => [n, withoutOwnLabels(this.view.get(n)?.metadata?.labels)]);
    const key = JSON.stringify([selector, labels]);
    if (key !== this.key) {
      this.selected = new Set(await this.nodes.namesMatching(selector));
      this.key = key;
    }
    return this.selected;
  }
}
