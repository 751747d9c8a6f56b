/**
 * The vocabulary of the pure core: what the engine observes about a node, what it may do, and how a
 * phase change is written down (intent first: the annotation patch goes to the Node before any action).
 */
import { NodeAnnotation } from '../../shared/names.js';
import type { Phase } from '../../shared/phases.js';
import { orderIdFor } from './orders.js';
import { formatOrderDelivery, type AnnotationPatch, type NodeState, type OrderDelivery } from './node-state.js';

export interface CiliumPodObservation {
  uid: string;
  ready: boolean;
}

/** A finished drain: done, or refused/blocked with a reason naming the pod (and the PDB). */
export type DrainOutcome = { done: true } | { done: false; reason: string };

export interface Observations {
  /** The node holds a grant slot Lease. */
  granted: boolean;
  unschedulable: boolean;
  labeled: boolean;
  nodeReady: boolean;
  /** The node's current boot id (Node status, else the agent's latest report). */
  bootId: string | undefined;
  ciliumPod: CiliumPodObservation | undefined;
  /** The outcome of this engine's drain of the node in the current attempt, once finished. */
  drain: DrainOutcome | undefined;
  /** Peer pod IPs a validation would ping now. */
  peerCandidates: string[];
  /** When this coordinator last heard from the node's agent (register, heartbeat, order poll); unset before it did. */
  agentHeardAt?: Date | undefined;
  /** The step order this coordinator handed to the agent, and when (what the Node records may lag). */
  orderDelivered?: OrderDelivery | undefined;
  /** The `spec.probe` threshold this attempt's hand-off crossed (the zero-downtime probe), if any. */
  probeBreach?: string | undefined;
}

export interface Settings {
  autoRollback: boolean;
  drainTimeoutMs: number;
  rebootTimeoutMs: number;
  validateTimeoutMs: number;
}

export type Action =
  | { kind: 'cordon' }
  | { kind: 'uncordon' }
  | { kind: 'label' }
  | { kind: 'unlabel' }
  | { kind: 'drain'; deadline: Date }
  | { kind: 'restartCilium'; uid: string }
  | { kind: 'releaseGrant' }
  | { kind: 'clearRequest' };

export interface Transition {
  from: Phase;
  to: Phase;
  /** Why (for the Event and the log). */
  message: string;
  warning: boolean;
}

export interface Decision {
  phase: Phase;
  /** The state once `patch` is written. */
  state: NodeState;
  /** Intent: written to the Node before any action runs. Empty when nothing changes. */
  patch: AnnotationPatch;
  actions: Action[];
  transition: Transition | undefined;
}

export type StateChanges = Partial<Omit<NodeState, 'name' | 'phaseSince'>>;

const ORDER_PHASES: readonly Phase[] = [
  'Rebooting',
  'Validating',
  'RollbackRestoringCniFiles',
  'RollbackRebooting',
  'RollbackValidating',
];

type Serializer = (s: NodeState) => string | null;
const SERIALIZERS: Partial<Record<keyof NodeState, [string, Serializer]>> = {
  phase: [NodeAnnotation.phase, (s) => s.phase],
  attempt: [NodeAnnotation.attempt, (s) => String(s.attempt)],
  direction: [NodeAnnotation.direction, (s) => s.direction],
  wasUnschedulable: [NodeAnnotation.wasUnschedulable, (s) => String(s.wasUnschedulable)],
  bootIdBefore: [NodeAnnotation.bootIdBefore, (s) => s.bootIdBefore ?? null],
  ciliumPodBefore: [NodeAnnotation.ciliumPodBefore, (s) => s.ciliumPodBefore ?? null],
  peers: [NodeAnnotation.validatePeers, (s) => s.peers.join(' ')],
  haltReason: [NodeAnnotation.haltReason, (s) => s.haltReason ?? null],
  failedPhase: [NodeAnnotation.failedPhase, (s) => s.failedPhase ?? null],
  request: [NodeAnnotation.request, (s) => s.request ?? null],
  startedAt: [NodeAnnotation.startedAt, (s) => s.startedAt?.toISOString() ?? null],
  finishedAt: [NodeAnnotation.finishedAt, (s) => s.finishedAt?.toISOString() ?? null],
  agentSeen: [NodeAnnotation.agentSeen, (s) => s.agentSeen?.toISOString() ?? null],
  orderDelivered: [NodeAnnotation.orderDelivered, (s) => (s.orderDelivered ? formatOrderDelivery(s.orderDelivered) : null)],
};

/** The annotation patch that records `changes` (and the phase clock) on the Node. */
export function patchFor(next: NodeState, changes: StateChanges, now: Date): AnnotationPatch {
  const patch: AnnotationPatch = {};
  for (const key of Object.keys(changes) as (keyof NodeState)[]) {
    const ser = SERIALIZERS[key];
    if (ser) patch[ser[0]] = ser[1](next);
  }
  if (changes.phase !== undefined) {
    patch[NodeAnnotation.phaseSince] = now.toISOString();
    if (ORDER_PHASES.includes(next.phase)) patch[NodeAnnotation.orderId] = orderIdFor(next.name, next.attempt, next.phase);
  }
  return patch;
}

/** A decision that moves the node to `to`, recording `changes` with it. */
export function enter(
  state: NodeState,
  to: Phase,
  now: Date,
  why: { message: string; warning?: boolean; changes?: StateChanges },
): Decision {
  const changes: StateChanges = { ...why.changes, phase: to };
  const next: NodeState = { ...state, ...changes, phaseSince: now };
  return {
    phase: to,
    state: next,
    patch: patchFor(next, changes, now),
    actions: [],
    transition: { from: state.phase, to, message: why.message, warning: why.warning ?? false },
  };
}

/** A decision that keeps the phase. */
export function stay(state: NodeState): Decision {
  return { phase: state.phase, state, patch: {}, actions: [], transition: undefined };
}
