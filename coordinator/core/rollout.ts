/**
 * The rollout policy, pure: which nodes get a grant slot now and, for each node that could go but may
 * not, why (the reason is also the log line). Nodes that already started (in flight, or asking for a
 * retry or rollback) come first and are never held back; then the pending nodes in migration order,
 * subject to these holds, checked in this order:
 * - rollout-wide: no `Migration default`, an invalid spec, a halted node, `spec.paused`, a gate (the
 *   Cilium DaemonSet not rolled out, or any other cluster-level blocker the engine reports), the canary
 *   (`spec.pauseAfter`: once that many nodes have started, no more start until it is raised or removed);
 * - per node: a node hosting a peer of a validation in progress waits (and every node after it, to keep
 *   the order); a node whose zone already has `spec.maxUnavailablePerZone` nodes in flight is skipped
 *   (the next node in another zone may go).
 * While paused, a node in flight finishes the step it is in but does not start the next (`decideStep`).
 */
import { isTerminal, type Phase } from '../../shared/phases.js';
import { advance, type Advance } from './advance.js';
import type { Observations, Settings, Transition } from './decision.js';
import { grantCandidates } from './migration-order.js';
import type { NodeState } from './node-state.js';
import { planGrants, type SlotGrant } from './slots.js';
import { rolloutHaltReason } from './status.js';
import { wantsGrant } from './transition.js';

/** What the operator asked of the rollout (the Migration's spec). */
export interface RolloutPolicy {
  paused: boolean;
  concurrency: number;
  includeControlPlane: boolean;
  /** Canary: no node starts once this many have started (until raised or removed). */
  pauseAfter?: number | undefined;
  /** At most this many nodes in flight per zone (`topology.kubernetes.io/zone`). */
  maxUnavailablePerZone?: number | undefined;
}

export interface RolloutNode {
  name: string;
  controlPlane: boolean;
  /** The node's zone label; nodes without one share one zone. */
  zone: string | undefined;
  state: NodeState;
  /** Selected by the Migration. A node out of scope that already started still finishes. */
  inScope: boolean;
}

/** A cluster-level reason that holds every new start (e.g. Cilium not rolled out, a pre-flight blocker). */
export interface Gate {
  name: string;
  reason: string;
}

export interface RolloutInput {
  /** Undefined when there is no `Migration default`: nothing new starts. */
  policy: RolloutPolicy | undefined;
  specError?: string | undefined;
  /** Every known node (in scope or not). */
  nodes: readonly RolloutNode[];
  /** slot index → holder node. */
  holders: ReadonlyMap<number, string>;
  /** The node the coordinator runs on (migrated last among its kind). */
  selfNode: string | undefined;
  gates: readonly Gate[];
  /** Nodes hosting a peer that a validation in progress pings. */
  peerHosts: ReadonlySet<string>;
  /** The nodes in scope in migration order, when the caller keeps it (it is then not sorted per decision). */
  order?: readonly string[] | undefined;
}

/** What holds a node back. */
export type HoldKind = 'spec' | 'halted' | 'paused' | 'gate' | 'canary' | 'peer' | 'zone';

export interface Hold {
  node: string;
  by: HoldKind;
  /** Why, in words (also the log line). */
  reason: string;
}

export interface RolloutDecision {
  grants: SlotGrant[];
  /** Nodes that would go now but may not, each with why. */
  held: Hold[];
  /** The gates were consulted (a pending node would otherwise have started). */
  gatesChecked: boolean;
}

const UNZONED = '';

const started = (n: RolloutNode, held: ReadonlySet<string>): boolean => n.state.phase !== 'Pending' || held.has(n.name);
const unavailable = (n: RolloutNode, held: ReadonlySet<string>): boolean =>
  (n.state.phase !== 'Pending' && !isTerminal(n.state.phase)) || held.has(n.name);

type Why = Omit<Hold, 'node'>;

/** Why every pending node waits, if one does (gates aside). */
function rolloutHold(i: RolloutInput, policy: RolloutPolicy): Why | undefined {
  if (i.specError !== undefined) return { by: 'spec', reason: `invalid spec: ${i.specError}` };
  const halt = rolloutHaltReason(i.nodes.map((n) => n.state));
  if (halt !== undefined) return { by: 'halted', reason: `rollout halted (${halt})` };
  if (policy.paused) return { by: 'paused', reason: 'rollout paused (spec.paused)' };
  return undefined;
}

function canaryHold(policy: RolloutPolicy, startedCount: number): Why | undefined {
  const n = policy.pauseAfter;
  if (n === undefined || startedCount < n) return undefined;
  return { by: 'canary', reason: `canary: ${n} node(s) started; the rollout pauses after them (raise or remove spec.pauseAfter to go on)` };
}

interface Walk {
  chosen: string[];
  held: Hold[];
}

/** Nodes in flight (or granted this instant) per zone. */
function inFlightByZone(i: RolloutInput, holders: ReadonlySet<string>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const n of i.nodes) {
    const zone = n.zone ?? UNZONED;
    if (unavailable(n, holders)) counts.set(zone, (counts.get(zone) ?? 0) + 1);
  }
  return counts;
}

const PEER_HOST: Why = { by: 'peer', reason: 'hosts a peer of a validation in progress: waits for it to end' };

const zoneFull = (zone: string, cap: number): Why => ({
  by: 'zone',
  reason: `zone ${zone || '(none)'} has ${cap} node(s) in flight (spec.maxUnavailablePerZone)`,
});

/** Picks pending nodes in order within `room`, skipping full zones, stopping at a peer host or the canary. */
function walkPending(i: RolloutInput, policy: RolloutPolicy, pending: readonly string[], room: number): Walk {
  const holders = new Set(i.holders.values());
  const zoneOf = new Map(i.nodes.map((n) => [n.name, n.zone ?? UNZONED]));
  const inZone = inFlightByZone(i, holders);
  const cap = policy.maxUnavailablePerZone ?? Infinity;
  const startedBefore = i.nodes.filter((n) => n.inScope && started(n, holders)).length;
  const walk: Walk = { chosen: [], held: [] };
  for (const name of pending) {
    if (walk.chosen.length >= room) break;
    const stop = canaryHold(policy, startedBefore + walk.chosen.length) ?? (i.peerHosts.has(name) ? PEER_HOST : undefined);
    if (stop !== undefined) {
      walk.held.push({ node: name, ...stop });
      break;
    }
    const zone = zoneOf.get(name) ?? UNZONED;
    const count = inZone.get(zone) ?? 0;
    if (count >= cap) walk.held.push({ node: name, ...zoneFull(zone, cap) });
    else {
      walk.chosen.push(name);
      inZone.set(zone, count + 1);
    }
  }
  return walk;
}

function pendingInOrder(i: RolloutInput, policy: RolloutPolicy): string[] {
  const scope = i.nodes.filter((n) => n.inScope);
  const phaseOf = new Map<string, Phase>(scope.map((n) => [n.name, n.state.phase]));
  return grantCandidates({
    nodes: scope,
    pending: new Set(scope.filter((n) => phaseOf.get(n.name) === 'Pending').map((n) => n.name)),
    finished: new Set(scope.filter((n) => isTerminal(n.state.phase)).map((n) => n.name)),
    opts: { includeControlPlane: policy.includeControlPlane, selfNode: i.selfNode },
    order: i.order,
  });
}

export function decideRollout(i: RolloutInput): RolloutDecision {
  const concurrency = i.policy?.concurrency ?? 1;
  const holderSet = new Set(i.holders.values());
  const urgent = i.nodes.filter((n) => n.state.phase !== 'Pending' && wantsGrant(n.state)).map((n) => n.name);
  const room = concurrency - i.holders.size - urgent.filter((n) => !holderSet.has(n)).length;
  const decide = (pending: string[], held: Hold[], gatesChecked: boolean): RolloutDecision => ({
    grants: planGrants({ holders: i.holders, concurrency, candidates: [...urgent, ...pending] }),
    held,
    gatesChecked,
  });
  if (room <= 0) return decide([], [], false);
  const policy = i.policy;
  const pending = policy ? pendingInOrder(i, policy).filter((n) => !holderSet.has(n)) : [];
  const next = pending[0];
  if (next === undefined || !policy) return decide([], [], false);
  const hold = rolloutHold(i, policy);
  if (hold !== undefined) return decide([], [{ node: next, ...hold }], false);
  const gate = i.gates[0];
  if (gate) return decide([], [{ node: next, by: 'gate', reason: `${gate.name}: ${gate.reason}` }], true);
  const walk = walkPending(i, policy, pending, room);
  return decide(walk.chosen, walk.held, true);
}

/**
 * The canary holds the rollout and every node it let start is finished (none in flight, none granted):
 * the rollout shows Paused.
 */
export function pausedByCanary(decision: RolloutDecision, i: Pick<RolloutInput, 'nodes' | 'holders'>): boolean {
  const busy = i.holders.size > 0 || decision.grants.length > 0 || i.nodes.some((n) => n.state.phase !== 'Pending' && !isTerminal(n.state.phase));
  return !busy && decision.held.some((h) => h.by === 'canary');
}

export interface StepInput {
  state: NodeState;
  obs: Observations;
  now: Date;
  settings: Settings;
  paused: boolean;
}

/**
 * One node's next step under the rollout policy, as far as the observations allow (`advance`): while
 * paused, a node finishes the step it is in but does not start the next one (a halt still happens, and a
 * retry or rollback of a halted node still proceeds); its work for the step it is in still runs.
 */
export function decideStep(i: StepInput): { step: Advance; held?: string } {
  const allowed = (t: Transition): boolean => !i.paused || t.to === 'Halted' || t.from === 'Halted' || t.from === 'RolledBack';
  const step = advance({ state: i.state, obs: i.obs, now: i.now, settings: i.settings, allowed });
  if (!step.refused) return { step };
  return { step, held: `rollout paused: stays in ${step.state.phase} (spec.paused)` };
}
