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
import type { ObservedNode } from '../core/observed-objects.js';
import { migrationOrder, type OrderingOptions } from '../core/migration-order.js';
import { summaryOf } from './rollout.js';

/**
 * A node's labels less those this rollout sets on every node it migrates (the Cilium migration label, the
 * phase): asking the API again for each of those would cost a cluster-wide LIST per node and phase.
 */
function withoutOwnLabels(labels: Record<string, string> | undefined): Record<string, string> {
  const { [CILIUM_MIGRATION_LABEL]: _label, [PHASE_LABEL]: _phase, ...rest } = labels ?? {};
  return rest;
}

type Summary = ReturnType<typeof summaryOf>;

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
  private readonly summaries = new WeakMap<ObservedNode, Summary>();
  private readonly byName = new Map<string, Summary>();
  private readonly labelKeys = new WeakMap<Record<string, string>, string>();
  /** Each node's labels as the last layout-relevant event saw them (see `changedLayout`). */
  private readonly seenKeys = new Map<string, string>();
  private last: (OrderingOptions & { inScope: string[]; summaries: Summary[]; layout: ScopeLayout }) | undefined;

  constructor(
    private readonly nodes: NodesApi,
    private readonly view: NodeView,
  ) {}

  /** The nodes in scope, every node's summary, and the migration order (sorted again only when one of those changed). */
  async layout(spec: MigrationSpec | undefined, selfNode: string | undefined): Promise<ScopeLayout> {
    const inScope = await this.names(spec);
    const summaries = this.view.names().flatMap((n) => {
      const node = this.view.get(n);
      return node ? [this.summaryOf(node)] : [];
    });
    const opts = { includeControlPlane: spec?.includeControlPlane ?? true, selfNode };
    const last = this.last;
    const same =
      last !== undefined && last.selfNode === selfNode && last.includeControlPlane === opts.includeControlPlane &&
      sameItems(last.inScope, inScope) && sameItems(last.summaries, summaries);
    if (!same) {
      const scope = new Set(inScope);
      this.last = { ...opts, inScope, summaries, layout: { inScope: scope, summaries, order: migrationOrder(summaries.filter((s) => scope.has(s.name)), opts) } };
    }
    return this.last?.layout ?? { inScope: new Set(), summaries: [], order: [] };
  }

  /**
   * Whether a change of the node may change the scope or the migration order: it came, went, or changed its
   * labels (other than those the rollout sets). Any other change concerns that node alone.
   */
  changedLayout(name: string): boolean {
    const key = this.view.get(name) ? this.labelsKey(name) : undefined;
    if (key === this.seenKeys.get(name)) return false;
    if (key === undefined) this.seenKeys.delete(name);
    else this.seenKeys.set(name, key);
    return true;
  }

  /** A node's summary; the same object while its name, kind and zone are unchanged. */
  summaryOf(node: ObservedNode): Summary {
    const cached = this.summaries.get(node);
    if (cached) return cached;
    const fresh = summaryOf(node);
    const before = this.byName.get(fresh.name);
    const s = before && before.controlPlane === fresh.controlPlane && before.zone === fresh.zone ? before : fresh;
    this.summaries.set(node, s);
    this.byName.set(s.name, s);
    return s;
  }

  async names(spec: MigrationSpec | undefined): Promise<string[]> {
    if (!spec) return [];
    const all = this.view.names();
    const selected = spec.nodeSelector ? await this.selectedBy(spec.nodeSelector, all) : undefined;
    return all.filter((n) => {
      const node = this.view.get(n);
      return (selected?.has(n) ?? true) && node !== undefined && (spec.includeControlPlane || !this.summaryOf(node).controlPlane);
    });
  }

  private async selectedBy(selector: string, names: string[]): Promise<Set<string>> {
    const labels = names.map((n) => this.labelsKey(n));
    const key = `${selector}\u0000${labels.join('\u0000')}`;
    if (key !== this.key) {
      this.selected = new Set(await this.nodes.namesMatching(selector));
      this.key = key;
    }
    return this.selected;
  }

  /** The node's name and labels (less the rollout's own) as a string, computed once per labels object. */
  private labelsKey(name: string): string {
    const labels = this.view.get(name)?.metadata?.labels;
    if (!labels) return name;
    let key = this.labelKeys.get(labels);
    if (key === undefined) {
      key = JSON.stringify([name, withoutOwnLabels(labels)]);
      this.labelKeys.set(labels, key);
    }
    return key;
  }
}

function sameItems<T>(a: readonly T[], b: readonly T[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
