/**
 * Validation peers, served from watches: the pods of a few anchor nodes per kind, watched one node each
 * (a field-selected watch, never a cluster-wide list). Cilium anchors are the first nodes done in
 * migration order; Calico anchors are nodes out of the rollout's scope, then the nodes granted last.
 * Both sets are stable for most of a rollout, so a validation costs no request, and the pods a
 * validation pings are known by node (a grant that would drain one of them away waits).
 */
import type { V1Pod } from '@kubernetes/client-node';
import { describeError } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';
import type { NodeState } from '../core/node-state.js';
import { choosePeers, nodesHostingPeers, peersInUse, type NodeKind } from '../core/peers.js';
import type { Watched } from '../kube/watched.js';

/** Anchor nodes watched per kind: enough that one without a suitable pod leaves peers to find. */
export const ANCHORS_PER_KIND = 3;

type KindOf = (node: string) => NodeKind | undefined;

/** The first `ANCHORS_PER_KIND` of `names` that pass `keep`, looking no further. */
function firstOf(names: readonly string[], keep: (n: string) => boolean): string[] {
  const out: string[] = [];
  for (const n of names) {
    if (out.length >= ANCHORS_PER_KIND) break;
    if (keep(n)) out.push(n);
  }
  return out;
}

export class PeerSource {
  private order: readonly string[] = [];
  private all: readonly string[] = [];
  /** Position of each in-scope node in the migration order (Calico peers come from the nodes granted last). */
  private rank = new Map<string, number>();
  /** Nodes in the cluster but out of the rollout's scope (for the current order and nodes). */
  private never: readonly string[] = [];
  /** The anchors of this pass, chosen and watched (once per pass, however many nodes ask at once). */
  private anchoring: Promise<void> | undefined;
  private readonly watches = new Map<string, Watched<V1Pod>>();

  constructor(
    private readonly watchNodePods: (node: string) => Watched<V1Pod>,
    private readonly log: Logger,
  ) {}

  /**
   * Start a pass: remember the migration order and every node; anchors are chosen again when first needed.
   */
  newPass(migrationOrder: readonly string[], allNodes: readonly string[]): void {
    if (migrationOrder !== this.order || allNodes !== this.all) {
      this.order = migrationOrder;
      this.all = allNodes;
      this.rank = new Map(migrationOrder.map((n, i) => [n, i]));
      this.never = allNodes.filter((n) => !this.rank.has(n));
    }
    this.anchoring = undefined;
  }

  async peersFor(self: string, kindOf: KindOf): Promise<string[]> {
    const pods = await this.anchorPods(kindOf);
    return choosePeers({ pods, kindOf, self, grantRank: (n) => this.rank.get(n) ?? Infinity });
  }

  /**
   * The nodes hosting a peer that a validation in progress pings. The anchors are watched first: a coordinator
   * that has just started (or restarted) watches nothing yet, and would otherwise grant a node whose pod a
   * running validation pings.
   */
  async hostsOfPeersInUse(states: Iterable<NodeState>, kindOf: KindOf): Promise<Set<string>> {
    const peerIps = peersInUse(states);
    if (peerIps.size === 0) return new Set();
    return nodesHostingPeers(peerIps, await this.anchorPods(kindOf));
  }

  async stop(): Promise<void> {
    const all = [...this.watches.values()];
    this.watches.clear();
    await Promise.all(all.map((w) => w.stop().catch(() => undefined)));
  }

  private watchedPods(): V1Pod[] {
    return [...this.watches.values()].flatMap((w) => [...w.list()]);
  }

  private async anchorPods(kindOf: KindOf): Promise<V1Pod[]> {
    this.anchoring ??= this.watchOnly(this.chooseAnchors(kindOf));
    await this.anchoring;
    return this.watchedPods();
  }

  /** The first few Cilium nodes in migration order; Calico nodes the rollout never grants (out of scope), then those it grants last. */
  private chooseAnchors(kindOf: KindOf): Set<string> {
    const cilium = firstOf(this.order, (n) => kindOf(n) === 'cilium');
    const calico = firstOf(this.never, (n) => kindOf(n) === 'calico');
    for (let i = this.order.length - 1; i >= 0 && calico.length < ANCHORS_PER_KIND; i--) {
      const n = this.order[i] ?? '';
      if (kindOf(n) === 'calico') calico.push(n);
    }
    return new Set([...cilium, ...calico]);
  }

  private async watchOnly(anchors: ReadonlySet<string>): Promise<void> {
    for (const [node, w] of this.watches) {
      if (anchors.has(node)) continue;
      this.watches.delete(node);
      void w.stop().catch(() => undefined);
    }
    const added = [...anchors].filter((n) => !this.watches.has(n));
    await Promise.all(added.map((n) => this.startWatch(n)));
  }

  private async startWatch(node: string): Promise<void> {
    const w = this.watchNodePods(node);
    this.watches.set(node, w);
    try {
      await w.start();
    } catch (e) {
      this.watches.delete(node);
      this.log.warn({ node, err: describeError(e) }, 'cannot watch the pods of a peer node; choosing again next pass');
    }
  }
}
