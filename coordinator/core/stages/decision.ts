/**
 * The vocabulary of the stage decision: what the engine observes about the cluster, what it may do, and
 * how a step change is written down (the new record goes to the Migration status before any action runs).
 */
import type { BackupRecord, InstallMethod, StageName, StageRecord, StageStep } from './record.js';
import type { ObjectPresence, ObjectRef } from './calico-removal.js';
import type { HelmRelease } from './promotion.js';
import type { NodeResult } from './rounds.js';
import type { RebootObservation } from './reboots.js';

/** Which stages the operator enabled (spec.stages); each runs only once the one before is done. */
export interface StageSpec {
  promote: boolean;
  /** Cilium not managed by Helm: the coordinator may merge-patch the promotion keys into cilium-config. */
  patchCiliumConfig: boolean;
  removeCalico: boolean;
  cleanNodes: boolean;
  /** A second rolling reboot after the cleanup (kernel state reset). */
  rebootNodes: boolean;
  removeCrds: boolean;
}

export interface StageSettings {
  concurrency: number;
  /** The Cilium DaemonSet's rollout after the restart. */
  rolloutTimeoutMs: number;
  /** One node's revalidation. */
  validateTimeoutMs: number;
  /** One node's cleanup. */
  cleanupTimeoutMs: number;
  /** The backup, each removal step, the CiliumNodeConfig and the CRDs. */
  removalTimeoutMs: number;
  /** The second rolling reboot: one node's cordon and drain, then its reboot and its coming back Ready. */
  drainTimeoutMs: number;
  rebootTimeoutMs: number;
}

export interface ClusterObservations {
  /** Every node in scope is Done: the per-node rollout is over. */
  nodesMigrated: boolean;
  /** Nodes in scope, in migration order (the rounds go in this order). */
  nodes: readonly string[];
  /** What cilium-config still lacks for the promotion (empty: promoted). */
  promotionMissing: readonly string[];
  helm: HelmRelease | undefined;
  /** ds/cilium's pod-template `kubectl.kubernetes.io/restartedAt`. */
  ciliumDaemonSetRestartedAt: string | undefined;
  /** Why ds/cilium is not rolled out (undefined: desired = updated = ready, generation observed). */
  ciliumRolloutProblem: string | undefined;
  nodeConfigPresent: boolean;
  /** How Calico is installed now (recorded when the removal starts). */
  installMethod: InstallMethod;
  /** The removal's objects that exist, by refKey. */
  objects: ReadonlyMap<string, ObjectPresence>;
  /** This engine's backup of the Calico objects, once done (or why it failed). */
  backup: BackupRecord | { error: string } | undefined;
  /** Calico's CRDs still served. */
  crdsPresent: readonly string[];
  /** Each node's recorded result for its current stage order. */
  results: ReadonlyMap<string, NodeResult>;
  /** The reboot round's nodes in flight, as observed. */
  rebootNodes: ReadonlyMap<string, RebootObservation>;
  /** The operator asked to retry the halted step: `spec.stages.retryAttempt` names the recorded attempt. */
  retryRequested: boolean;
}

export type StageAction =
  | { kind: 'patchCiliumConfig' }
  | { kind: 'restartCiliumDaemonSet'; restartedAt: string }
  | { kind: 'deleteNodeConfig' }
  | { kind: 'backupCalico' }
  | { kind: 'deleteObjects'; refs: ObjectRef[] }
  | { kind: 'deleteCrds'; names: string[] }
  | { kind: 'cordonNode'; node: string }
  | { kind: 'drainNode'; node: string; orderId: string; deadline: string }
  | { kind: 'uncordonNode'; node: string }
  | { kind: 'recordInventory'; node: string; found: Record<string, number>; left: number; leftByKind?: Record<string, number> };

export interface StageTransition {
  from: string;
  to: string;
  message: string;
  warning: boolean;
}

export interface StageDecision {
  record: StageRecord | undefined;
  /** The record changed: write it before running the actions. */
  changed: boolean;
  actions: StageAction[];
  transition: StageTransition | undefined;
  /** What the current step waits for (the gate's instruction), for the status. */
  waitingFor: string | undefined;
}

export const label = (r: StageRecord | undefined): string => (r ? `${r.stage}/${r.step}` : 'Rollout');

export function keep(record: StageRecord | undefined, actions: StageAction[] = [], waitingFor?: string): StageDecision {
  return { record, changed: false, actions, transition: undefined, waitingFor };
}

/** The record, changed in place (no step change): written before the actions. */
export function update(record: StageRecord, changes: Partial<StageRecord>, actions: StageAction[] = [], waitingFor?: string): StageDecision {
  return { record: { ...record, ...changes }, changed: true, actions, transition: undefined, waitingFor };
}

export function enterStep(
  record: StageRecord,
  step: StageStep,
  now: Date,
  why: { message: string; changes?: Partial<StageRecord>; actions?: StageAction[] },
): StageDecision {
  const next: StageRecord = { ...record, ...why.changes, step, since: now.toISOString() };
  return {
    record: next,
    changed: true,
    actions: why.actions ?? [],
    transition: { from: label(record), to: label(next), message: why.message, warning: false },
    waitingFor: undefined,
  };
}

/** A new stage: its first step, its start time recorded (and the previous stage's end, if any). */
export function enterStage(
  prev: StageRecord | undefined,
  to: { stage: StageName | 'Complete'; step: StageStep },
  now: Date,
  message: string,
): StageDecision {
  const { stage, step } = to;
  const at = now.toISOString();
  const times = (prev?.times ?? []).map((t) => (t.finishedAt ? t : { ...t, finishedAt: at }));
  const next: StageRecord = {
    ...(prev ?? { attempt: 0, nodes: [], times: [] }),
    stage,
    step,
    since: at,
    nodes: [],
    times: stage === 'Complete' ? times : [...times, { name: stage, startedAt: at }],
  };
  return { record: next, changed: true, actions: [], transition: { from: label(prev), to: label(next), message, warning: false }, waitingFor: undefined };
}

export function haltStage(record: StageRecord, reason: string): StageDecision {
  const haltReason = `${record.stage} halted in ${record.step}: ${reason}`.slice(0, 4096);
  return {
    record: { ...record, haltReason },
    changed: true,
    actions: [],
    transition: { from: label(record), to: `${label(record)} (halted)`, message: haltReason, warning: true },
    waitingFor: undefined,
  };
}
