/**
 * Validation peers for one reconcile pass: the running pods are listed at most once per pass, and only
 * when a node is about to validate or a grant must avoid draining a peer away.
 */
import type { V1Pod } from '@kubernetes/client-node';
import type { NodeState } from '../core/node-state.js';
import { choosePeers, nodesHostingPeers, peersInUse, type NodeKind } from '../core/peers.js';

export class PeerSource {
  private pods: V1Pod[] | undefined;
  /** Position of each in-scope node in the migration order (peers come from the nodes granted last). */
  private rank = new Map<string, number>();

  constructor(private readonly runningPods: () => Promise<V1Pod[]>) {}

  /** Start a pass: forget the last pass's pods, remember the migration order. */
  newPass(migrationOrder: readonly string[]): void {
    this.pods = undefined;
    this.rank = new Map(migrationOrder.map((n, i) => [n, i]));
  }

  async peersFor(self: string, kindOf: (node: string) => NodeKind | undefined): Promise<string[]> {
    const pods = (this.pods ??= await this.runningPods());
    return choosePeers({ pods, kindOf, self, grantRank: (n) => this.rank.get(n) ?? Infinity });
  }

  /** The nodes hosting a peer that a validation in progress pings (the pods are listed only if one runs). */
  async hostsOfPeersInUse(states: Iterable<NodeState>): Promise<Set<string>> {
    const peerIps = peersInUse(states);
    if (peerIps.size === 0) return new Set();
    const pods = (this.pods ??= await this.runningPods());
    return nodesHostingPeers(peerIps, pods);
  }
}
