/**
 * What the rollout looks like to an operator, computed from what the API holds (the Migration, the Nodes'
 * recorded states, and for a draining node its pods and the PodDisruptionBudgets): the one model behind
 * `cni-migrate status`, the demo's live view and summary, and the dashboard.
 */
import { ProbeStatusSchema, type ProbeStatus } from '../core/probe/limits.js';
import type { V1Pod, V1PodDisruptionBudget } from '@kubernetes/client-node';
import type { ObservedNode } from '../core/observed-objects.js';
import { compareNatural } from '../../shared/natural-order.js';
import { NodeAnnotation } from '../../shared/names.js';
import { isInFlight, type Phase } from '../../shared/phases.js';
import { readNodeState, type NodeState, type OperatorRequest } from '../core/node-state.js';
import { pdbsProtecting, planDrain, podRef } from '../core/drain-plan.js';
import { readStageRecord, type StageRecord } from '../core/stages/record.js';
import { haltGuidance, preflightGuidance, rolledBackGuidance, specGuidance, type HaltGuidance } from './halt-guidance.js';

export interface DrainProgress {
  /** Pods the drain still has to move (namespace/name). */
  podsLeft: string[];
  /** PodDisruptionBudgets that allow no disruption now and select a pod left (namespace/name). */
  blockedBy: string[];
}

export interface InFlightNode {
  name: string;
  step: Phase;
  attempt: number;
  secondsInStep: number | null;
  direction: 'migrate' | 'rollback';
  drain?: DrainProgress;
}

export interface ViewNodeRow {
  name: string;
  phase: Phase;
  attempt: number;
  cordoned: boolean;
  reason?: string;
  /** After its cleanup: Calico items found by kind and what is left (`found iptables-rules=48 …; left 0`). */
  cleanup?: string;
}

export interface RolloutView {
  /** Where the whole migration is: "Rollout" (node by node), then each cluster stage and its step. */
  stage: string;
  /** What the current stage step waits for, or why it halted (cluster stages only). */
  stageNote: string | null;
  phase: string;
  paused: boolean;
  counts: { total: number; done: number; inFlight: number; pending: number; halted: number; rolledBack: number };
  /** Seconds until every node is done at the pace so far; null until a node is done, or when halted. */
  etaSeconds: number | null;
  inFlight: InFlightNode[];
  requests: { node: string; request: OperatorRequest }[];
  halt: HaltGuidance | null;
  nodes: ViewNodeRow[];
  /** The zero-downtime probe's figures from the status; null before any probe report. */
  probe: ProbeStatus | null;
}

export interface ViewInput {
  /** The Migration `default` as read (spec and status untyped: the view reads what it can). */
  migration: { spec?: unknown; status?: unknown } | undefined;
  /** The nodes in the rollout's scope. */
  nodes: readonly ObservedNode[];
  /** Pods on each draining node (the view names what is left and what blocks it). */
  podsOn?: (node: string) => readonly V1Pod[];
  pdbs?: readonly V1PodDisruptionBudget[];
  now: Date;
}

const field = (o: unknown, key: string): unknown => (typeof o === 'object' && o !== null ? (o as Record<string, unknown>)[key] : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function drainProgress(node: string, i: ViewInput, spec: unknown): DrainProgress | undefined {
  if (!i.podsOn) return undefined;
  const drain = field(spec, 'drain');
  const opts = { force: field(drain, 'force') === true, deleteEmptyDirData: field(drain, 'deleteEmptyDirData') === true };
  const left = planDrain(i.podsOn(node), opts).evict;
  const exhausted = (i.pdbs ?? []).filter((b) => (b.status?.disruptionsAllowed ?? 0) <= 0);
  const blockedBy = new Set(left.flatMap((p) => pdbsProtecting(p, exhausted)));
  return { podsLeft: left.map(podRef).sort(compareNatural), blockedBy: [...blockedBy].sort(compareNatural) };
}

function inFlightNode(s: NodeState, i: ViewInput, spec: unknown): InFlightNode {
  const seconds = s.phaseSince ? Math.max(0, Math.round((i.now.getTime() - s.phaseSince.getTime()) / 1000)) : null;
  const drain = s.phase === 'Draining' ? drainProgress(s.name, i, spec) : undefined;
  return { name: s.name, step: s.phase, attempt: s.attempt, secondsInStep: seconds, direction: s.direction, ...(drain ? { drain } : {}) };
}

/** Average seconds a finished node took, times the nodes left, divided by the nodes that go at once. */
function eta(states: readonly NodeState[], concurrency: number): number | null {
  const took = states
    .filter((s) => s.phase === 'Done' && s.startedAt && s.finishedAt)
    .map((s) => ((s.finishedAt?.getTime() ?? 0) - (s.startedAt?.getTime() ?? 0)) / 1000);
  const left = states.filter((s) => s.phase !== 'Done' && s.phase !== 'RolledBack').length;
  if (took.length === 0) return left === 0 ? 0 : null;
  const avg = took.reduce((a, b) => a + b, 0) / took.length;
  return Math.round((avg * left) / Math.max(1, concurrency));
}

/** The fix of each pre-flight blocker recorded in the status. */
function fixesOf(preflight: unknown): string[] {
  const blockers = field(preflight, 'blockers');
  return Array.isArray(blockers) ? blockers.map((b) => str(field(b, 'fix'))).filter((f): f is string => f !== undefined) : [];
}

function haltOf(states: readonly NodeState[], status: unknown, paused: boolean): HaltGuidance | null {
  const halted = states.find((s) => s.phase === 'Halted');
  if (halted) return haltGuidance(halted.name, halted.failedPhase, halted.haltReason ?? 'unknown cause', paused);
  const back = states.find((s) => s.phase === 'RolledBack' && s.haltReason !== undefined);
  if (back) return rolledBackGuidance(back.name, back.failedPhase, back.haltReason ?? '');
  const reason = str(field(status, 'haltReason'));
  if (reason?.startsWith('invalid spec')) return specGuidance(reason);
  if (reason?.startsWith('pre-flight')) return preflightGuidance(reason, fixesOf(field(status, 'preflight')));
  return null;
}

function cleanupOf(n: ObservedNode | undefined): { cleanup?: string } {
  const line = n?.metadata?.annotations?.[NodeAnnotation.cleanupInventory];
  return line ? { cleanup: line } : {};
}

function stageNoteOf(r: StageRecord | undefined): string | null {
  if (r?.haltReason) return `stage halted: ${r.haltReason}; fix the cause, then: cni-migrate retry --stage`;
  if (r?.waitingFor) return `waiting for: ${r.waitingFor}`;
  if (r?.step === 'RebootingNodes') return `reboots: ${r.nodes.map(rebootText).join(', ') || 'none started'}`;
  return null;
}

/** A node in the reboot round: its step, or its new boot id once rebooted. */
function rebootText(e: StageRecord['nodes'][number]): string {
  if (e.state === 'Done') return `${e.name} rebooted (boot id ${e.bootIdAfter ?? '?'})`;
  const boot = e.bootIdBefore ? ` (boot id before ${e.bootIdBefore})` : '';
  return `${e.name} ${e.state === 'Failed' ? 'failed' : (e.phase ?? 'Cordoning')}${boot}`;
}

function probeOf(status: unknown): ProbeStatus | null {
  const parsed = ProbeStatusSchema.safeParse(field(status, 'probe'));
  return parsed.success ? parsed.data : null;
}

export function buildRolloutView(i: ViewInput): RolloutView {
  const spec = i.migration?.spec;
  const status = i.migration?.status;
  const paused = field(spec, 'paused') === true;
  const concurrency = typeof field(spec, 'concurrency') === 'number' ? Number(field(spec, 'concurrency')) : 1;
  const nodes = [...i.nodes].sort((a, b) => compareNatural(a.metadata?.name ?? '', b.metadata?.name ?? ''));
  const states = nodes.map((n) => readNodeState(n.metadata?.name ?? '', n.metadata?.annotations));
  const count = (p: (s: NodeState) => boolean): number => states.filter(p).length;
  const halt = haltOf(states, status, paused);
  const stageRecord = readStageRecord(field(status, 'stage'));
  return {
    stage: stageRecord ? `${stageRecord.stage}${stageRecord.stage === 'Complete' ? '' : ` (${stageRecord.step})`}` : 'Rollout',
    stageNote: stageNoteOf(stageRecord),
    phase: str(field(status, 'phase')) ?? (i.migration ? 'Pending' : 'Absent'),
    paused,
    counts: {
      total: states.length,
      done: count((s) => s.phase === 'Done'),
      inFlight: count((s) => isInFlight(s.phase) && s.phase !== 'Halted'),
      pending: count((s) => s.phase === 'Pending'),
      halted: count((s) => s.phase === 'Halted'),
      rolledBack: count((s) => s.phase === 'RolledBack'),
    },
    etaSeconds: halt ? null : eta(states, concurrency),
    inFlight: states.filter((s) => isInFlight(s.phase) && s.phase !== 'Halted').map((s) => inFlightNode(s, i, spec)),
    requests: states.flatMap((s) => (s.request ? [{ node: s.name, request: s.request }] : [])),
    halt,
    nodes: states.map((s, k) => ({
      name: s.name,
      phase: s.phase,
      attempt: s.attempt,
      cordoned: nodes[k]?.spec?.unschedulable === true,
      ...(s.haltReason ? { reason: s.haltReason } : {}),
      ...cleanupOf(nodes[k]),
    })),
    probe: probeOf(status),
  };
}
