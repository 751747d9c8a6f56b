/**
 * Who goes next, each pass (from the controller's index of the nodes, never a walk over all of them): reads the closed gates, the slot holders and (when a slot is free) the hosts of
 * the validation peers in use, asks the pure core which nodes may go now (`decideRollout`), and writes
 * those grants. It keeps the Cilium gate's reason for the status.
 */
import { nodeLogger, type Logger } from '../../shared/logger.js';
import { ciliumRestarts } from '../core/cilium-readiness.js';
import type { CiliumPodObservation } from '../core/decision.js';
import type { NodeState } from '../core/node-state.js';
import { peerKindOf, type NodeKind } from '../core/peers.js';
import { decideNext, type Gate, type RolloutDecision } from '../core/rollout.js';
import type { RolloutIndex } from '../core/rollout-index.js';
import type { Cluster } from './cluster.js';
import { CILIUM_GATE, closedGates } from './gates.js';
import type { SlotGrants } from './grants.js';
import type { PeerSource } from './peer-source.js';
import { policyOf, type Rollout } from './rollout.js';

export interface RolloutGrantsDeps {
  cluster: Cluster;
  grants: SlotGrants;
  log: Logger;
  /** The coordinator's own node (it goes last). */
  selfNode: string | undefined;
  peers: PeerSource;
  stateOf: (node: string) => NodeState;
  /** The node's Cilium pod as the watch shows it now. */
  ciliumPodOf: (node: string) => CiliumPodObservation | undefined;
  /** Pre-flight's gate while it holds. */
  preflight: () => Gate | undefined;
  /** A grant was written: reconcile the node granted. */
  wake: (node: string) => void;
}

export class RolloutGrants {
  /** The Cilium gate's reason when the last decision consulted it (shown in the status). */
  private problem: string | undefined;

  constructor(private readonly d: RolloutGrantsDeps) {}

  async decide(rollout: Rollout, index: RolloutIndex): Promise<RolloutDecision> {
    const holders = this.d.grants.holders();
    const policy = policyOf(rollout.spec);
    const slotFree = holders.size < (policy?.concurrency ?? 1);
    const inFlight = index.inFlight();
    const gates = closedGates(this.d.cluster, this.d.preflight(), ciliumRestarts(inFlight, this.d.ciliumPodOf));
    const kindOf = (n: string): NodeKind | undefined => peerKindOf(this.d.stateOf(n).phase, this.d.grants.holds(n));
    const peerHosts = slotFree ? await this.d.peers.hostsOfPeersInUse(inFlight, kindOf) : new Set<string>();
    const decision = decideNext({ policy, specError: rollout.specError, index, holders, selfNode: this.d.selfNode, gates, peerHosts });
    if (decision.gatesChecked) this.problem = gates.find((g) => g.name === CILIUM_GATE)?.reason;
    return decision;
  }

  /** Writes the grants, each slot's Lease at once (they are independent); each node granted is reconciled as soon as its own is written. */
  async grant(decision: RolloutDecision, phaseOf: (node: string) => string): Promise<void> {
    await Promise.all(
      decision.grants.map(async (g) => {
        await this.d.grants.grant(g.slot, g.node);
        nodeLogger(this.d.log, g.node, phaseOf(g.node)).info({ slot: g.slot }, 'granted');
        this.d.wake(g.node);
      }),
    );
  }

  ciliumProblem(): string | undefined {
    return this.problem;
  }
}
