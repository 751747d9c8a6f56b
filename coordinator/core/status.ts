/**
 * The rollout's status, computed from the nodes' recorded states: what `kubectl get migration default -o
 * yaml` and `cni-migrate status` show. It holds the counts and the nodes in flight (a halted node among
 * them), not a row per node: each node's own record is on the Node, so the status stays small at any size.
 */
import { isInFlight } from '../../shared/phases.js';
import type { Condition, MigrationStatus, NodeStatus, RolloutPhase } from './migration-spec.js';
import type { NodeState } from './node-state.js';
import { preflightHaltReason, type PreflightStatus } from './preflight/record.js';
import type { StageRecord } from './stages/record.js';
import type { ProbeStatus } from './probe/limits.js';

export interface StatusInput {
  /** Nodes in scope, in migration order. */
  nodes: readonly NodeState[];
  paused: boolean;
  /** A spec the coordinator cannot act on (bad field), if any. */
  specError: string | undefined;
  previousConditions: readonly Condition[];
  /** Why no new node may start now (the Cilium DaemonSet is not rolled out), if so. */
  ciliumProblem?: string | undefined;
  /** The last pre-flight of this rollout; undefined until it has run. */
  preflight?: PreflightStatus | undefined;
  /** The cluster-level stage, once the per-node rollout is over. */
  stage?: StageRecord | undefined;
  /** The zero-downtime probe's figures, once a probe pod reported. */
  probe?: ProbeStatus | undefined;
  now: Date;
}

const STAGE_PHASE: Record<StageRecord['stage'], RolloutPhase> = {
  Promote: 'Promoting',
  RemoveCalico: 'RemovingCalico',
  CleanNodes: 'CleaningNodes',
  RebootNodes: 'RebootingNodes',
  RemoveCrds: 'RemovingCRDs',
  Complete: 'Completed',
};

/** While a stage runs, the rollout's phase is the stage's; a stage that is done waits as Completed. */
function stagePhase(stage: StageRecord | undefined): RolloutPhase | undefined {
  if (!stage) return undefined;
  return stage.step === 'Done' ? 'Completed' : STAGE_PHASE[stage.stage];
}

/** The node the rollout halted on: a Halted node, or a node rolled back automatically. */
export function haltedNode(nodes: readonly NodeState[]): NodeState | undefined {
  return nodes.find((s) => s.haltReason !== undefined && (s.phase === 'Halted' || s.phase === 'RolledBack'));
}

/** The first recorded halt reason: a Halted node, or a node rolled back automatically. */
export function rolloutHaltReason(nodes: readonly NodeState[]): string | undefined {
  const n = haltedNode(nodes);
  return n ? `${n.name}: ${n.haltReason ?? ''}` : undefined;
}

function nodeStatus(s: NodeState, now: Date): NodeStatus {
  const since = s.phaseSince?.toISOString();
  const end = s.finishedAt ?? now;
  const durationSeconds = s.startedAt ? Math.max(0, Math.round((end.getTime() - s.startedAt.getTime()) / 1000)) : undefined;
  return {
    name: s.name,
    phase: s.phase,
    attempt: s.attempt,
    ...(since ? { since } : {}),
    ...(durationSeconds !== undefined ? { durationSeconds } : {}),
    ...(s.haltReason ? { reason: s.haltReason } : {}),
  };
}

function rolloutPhase(i: StatusInput, halt: string | undefined, inFlight: number): RolloutPhase {
  if (halt !== undefined || i.specError !== undefined) return 'Halted';
  if (i.nodes.length > 0 && i.nodes.every((n) => n.phase === 'Done' || n.phase === 'RolledBack')) return stagePhase(i.stage) ?? 'Completed';
  if (i.paused) return 'Paused';
  return inFlight > 0 || i.nodes.some((n) => n.phase !== 'Pending') ? 'Running' : 'Pending';
}

function condition(prev: readonly Condition[], next: Omit<Condition, 'lastTransitionTime'>, now: Date): Condition {
  const old = prev.find((c) => c.type === next.type);
  const unchanged = old?.status === next.status;
  return { ...next, lastTransitionTime: unchanged && old ? old.lastTransitionTime : now.toISOString() };
}

/** Why the rollout is halted: a bad spec, a halted node, a halted stage, or a pre-flight blocker (while a node waits to start). */
function haltReasonOf(i: StatusInput): string | undefined {
  if (i.specError) return `invalid spec: ${i.specError}`;
  const holdsPending = i.nodes.some((n) => n.phase === 'Pending');
  return rolloutHaltReason(i.nodes) ?? i.stage?.haltReason ?? (holdsPending ? preflightHaltReason(i.preflight) : undefined);
}

function preflightCondition(p: PreflightStatus | undefined): Omit<Condition, 'lastTransitionTime'> {
  if (!p) return { type: 'PreflightPassed', status: 'Unknown', reason: 'NotRun', message: 'pre-flight has not run yet' };
  if (p.passed) return { type: 'PreflightPassed', status: 'True', reason: 'NoBlockers', message: `no blocker, ${p.warnings.length} warning(s)` };
  return { type: 'PreflightPassed', status: 'False', reason: 'Blocked', message: p.blockers.map((b) => `${b.message} (fix: ${b.fix})`).join('; ') };
}

export function summarizeStatus(i: StatusInput): MigrationStatus {
  const halt = haltReasonOf(i);
  const inFlight = i.nodes.filter((n) => isInFlight(n.phase) && n.phase !== 'Halted').length;
  const phase = rolloutPhase(i, halt, inFlight);
  const stoppedAt = i.specError ? undefined : haltedNode(i.nodes)?.name;
  return {
    phase,
    nodes: i.nodes.filter((n) => isInFlight(n.phase)).map((n) => nodeStatus(n, i.now)),
    migrated: i.nodes.filter((n) => n.phase === 'Done').length,
    total: i.nodes.length,
    inFlight,
    ...(halt ? { haltReason: halt } : {}),
    ...(stoppedAt ? { haltedNode: stoppedAt } : {}),
    ...(i.preflight ? { preflight: i.preflight } : {}),
    ...(i.probe ? { probe: i.probe } : {}),
    conditions: [
      condition(
        i.previousConditions,
        halt
          ? { type: 'Halted', status: 'True', reason: 'StepFailed', message: halt }
          : { type: 'Halted', status: 'False', reason: 'NoFailure', message: 'no node has failed' },
        i.now,
      ),
      condition(
        i.previousConditions,
        phase === 'Completed'
          ? { type: 'Completed', status: 'True', reason: 'AllNodesFinished', message: 'every node in scope is finished' }
          : { type: 'Completed', status: 'False', reason: 'InProgress', message: `${phase}` },
        i.now,
      ),
      condition(
        i.previousConditions,
        i.ciliumProblem
          ? { type: 'CiliumReady', status: 'False', reason: 'CiliumNotRolledOut', message: i.ciliumProblem }
          : { type: 'CiliumReady', status: 'True', reason: 'RolledOut', message: 'every Cilium pod is updated and Ready' },
        i.now,
      ),
      condition(i.previousConditions, preflightCondition(i.preflight), i.now),
    ],
  };
}
