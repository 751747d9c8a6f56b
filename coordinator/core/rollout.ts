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
import { isInFlight } from '../../shared/phases.js';
import { advance, type Advance } from './advance.js';
import type { Observations, Settings, Transition } from './decision.js';
import { migrationOrder } from './migration-order.js';
import type { NodeState } from './node-state.js';
import { RolloutIndex, UNZONED, type IndexedNode } from './rollout-index.js';
import { planGrants, type SlotGrant } from './slots.js';

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

export type RolloutNode = IndexedNode;

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

/** The decision's input with the nodes kept in an index (the engine's, updated one node at a time). */
export type IndexedRolloutInput = Omit<RolloutInput, 'nodes' | 'order'> & { index: RolloutIndex };

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

type Why = Omit<Hold, 'node'>;

/** Why every pending node waits, if one does (gates aside). */
function rolloutHold(i: IndexedRolloutInput, policy: RolloutPolicy): Why | undefined {
  if (i.specError !== undefined) return { by: 'spec', reason: `invalid spec: ${i.specError}` };
  const halted = i.index.halted();
  if (halted !== undefined) return { by: 'halted', reason: `rollout halted (${halted.name}: ${halted.haltReason ?? ''})` };
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
function inFlightByZone(i: IndexedRolloutInput, holders: ReadonlySet<string>): Map<string, number> {
  const counts = i.index.inFlightByZone();
  for (const h of holders) {
    const n = i.index.get(h);
    if (n === undefined || isInFlight(n.state.phase)) continue;
    const zone = n.zone ?? UNZONED;
    counts.set(zone, (counts.get(zone) ?? 0) + 1);
  }
  return counts;
}

/** Nodes in scope that started, or hold a slot before their first step. */
function startedCount(i: IndexedRolloutInput, holders: ReadonlySet<string>): number {
  let granted = 0;
  for (const h of holders) {
    const n = i.index.get(h);
    if (n?.inScope === true && n.state.phase === 'Pending') granted += 1;
  }
  return i.index.startedInScope() + granted;
}

const PEER_HOST: Why = { by: 'peer', reason: 'hosts a peer of a validation in progress: waits for it to end' };

const zoneFull = (zone: string, cap: number): Why => ({
  by: 'zone',
  reason: `zone ${zone || '(none)'} has ${cap} node(s) in flight (spec.maxUnavailablePerZone)`,
});

const zoneOf = (index: RolloutIndex, name: string): string => index.get(name)?.zone ?? UNZONED;

/** Picks pending nodes in order within `room`, skipping full zones, stopping at a peer host or the canary. */
function walkPending(i: IndexedRolloutInput, policy: RolloutPolicy, pending: Iterable<string>, room: number): Walk {
  const holders = new Set(i.holders.values());
  const inZone = inFlightByZone(i, holders);
  const cap = policy.maxUnavailablePerZone ?? Infinity;
  const startedBefore = startedCount(i, holders);
  const walk: Walk = { chosen: [], held: [] };
  for (const name of pending) {
    if (walk.chosen.length >= room) break;
    const stop = canaryHold(policy, startedBefore + walk.chosen.length) ?? (i.peerHosts.has(name) ? PEER_HOST : undefined);
    if (stop !== undefined) {
      walk.held.push({ node: name, ...stop });
      break;
    }
    const zone = zoneOf(i.index, name);
    const count = inZone.get(zone) ?? 0;
    if (count >= cap) walk.held.push({ node: name, ...zoneFull(zone, cap) });
    else {
      walk.chosen.push(name);
      inZone.set(zone, count + 1);
    }
  }
  return walk;
}

/** The pending nodes in scope not holding a slot yet, in grant order (lazily). */
function* pendingUngranted(index: RolloutIndex, holders: ReadonlySet<string>): Generator<string> {
  for (const n of index.pendingInOrder()) if (!holders.has(n)) yield n;
}

/** `decideRollout` over a list of nodes: indexes them (the engine keeps its index from event to event instead). */
export function decideRollout(i: RolloutInput): RolloutDecision {
  const { nodes, order, ...rest } = i;
  const opts = { includeControlPlane: i.policy?.includeControlPlane ?? true, selfNode: i.selfNode };
  const index = RolloutIndex.of(nodes, order ?? migrationOrder(nodes.filter((n) => n.inScope), opts));
  return decideNext({ ...rest, index });
}

/**
 * Which nodes get a slot now, from the index: the started nodes that want one first, then pending nodes in
 * migration order. Reads only the slots and the few nodes it grants or holds (never every node).
 */
export function decideNext(i: IndexedRolloutInput): RolloutDecision {
  const concurrency = i.policy?.concurrency ?? 1;
  const holderSet = new Set(i.holders.values());
  const urgent = i.index.urgent();
  const room = concurrency - i.holders.size - urgent.filter((n) => !holderSet.has(n)).length;
  const decide = (pending: string[], held: Hold[], gatesChecked: boolean): RolloutDecision => ({
    grants: planGrants({ holders: i.holders, concurrency, candidates: [...urgent, ...pending] }),
    held,
    gatesChecked,
  });
  const policy = i.policy;
  if (room <= 0 || !policy) return decide([], [], false);
  const pending = pendingUngranted(i.index, holderSet);
  const first = pending.next();
  if (first.done === true) return decide([], [], false);
  const next = first.value;
  const hold = rolloutHold(i, policy);
  if (hold !== undefined) return decide([], [{ node: next, ...hold }], false);
  const gate = i.gates[0];
  if (gate) return decide([], [{ node: next, by: 'gate', reason: `${gate.name}: ${gate.reason}` }], true);
  const walk = walkPending(i, policy, after(next, pending), room);
  return decide(walk.chosen, walk.held, true);
}

/** `first`, then the rest of `it`, lazily. */
function* after(first: string, it: Iterator<string>): Generator<string> {
  yield first;
  for (let r = it.next(); r.done !== true; r = it.next()) yield r.value;
}

/** Holds that last only until a validation in progress ends or a gate opens again (seconds, as the rollout goes). */
const PASSING_HOLDS: ReadonlySet<HoldKind> = new Set<HoldKind>(['peer', 'gate']);

/**
 * Whether the slots that finished nodes freed, and that this decision gave to nobody, are written free now. Not
 * while the next node waits only for a validation peer or a gate: the slot's next grant writes the new holder over
 * the finished one (one Lease write per hand-off, not a release and then a grant). A hold that can last (paused,
 * halted, canary, spec, zone) or nothing left to grant writes them, so the Leases show who is really migrating.
 */
export function releaseFreedSlots(decision: RolloutDecision): boolean {
  return decision.held.length === 0 || decision.held.some((h) => !PASSING_HOLDS.has(h.by));
}

/**
 * The canary holds the rollout and every node it let start is finished (none in flight, none granted):
 * the rollout shows Paused.
 */
export function pausedByCanary(decision: RolloutDecision, i: { holders: ReadonlyMap<number, string>; nodes?: readonly RolloutNode[]; index?: RolloutIndex }): boolean {
  const inFlight = i.index ? i.index.inFlightCount() > 0 : (i.nodes ?? []).some((n) => isInFlight(n.state.phase));
  const busy = i.holders.size > 0 || decision.grants.length > 0 || inFlight;
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
