/**
 * The optional second rolling reboot after the cleanup, k at a time, each node as in the per-node rollout:
 * cordon → drain → reboot → Ready and Cilium ready → uncordon. The boot id is recorded (the node's entry
 * enters Rebooting) before the reboot order is issued, and the order reboots only that boot: a restarted
 * coordinator that issues it again gets a refusal from the rebooted node, never a second reboot. Pure.
 */
import { DRAIN_REPORT_GRACE_MS } from '../steps.js';
import type { StageAction } from './decision.js';
import type { NodeRound, RebootPhase } from './record.js';
import type { NodeResult } from './rounds.js';

/** What the engine observes of a node in the reboot round. */
export interface RebootObservation {
  unschedulable: boolean;
  bootId: string | undefined;
  /** The node is Ready and its Cilium pod is Ready. */
  ready: boolean;
  /** This engine's drain of the node for the entry's order id, once over. */
  drain: { done: true } | { done: false; reason: string } | undefined;
}

export interface RebootSettings {
  drainTimeoutMs: number;
  rebootTimeoutMs: number;
}

export interface RebootInput {
  entry: NodeRound;
  obs: RebootObservation | undefined;
  result: NodeResult | undefined;
  now: Date;
  settings: RebootSettings;
}

export interface RebootStep {
  entry: NodeRound;
  actions: StageAction[];
}

const secs = (ms: number): number => Math.round(ms / 1000);

function timeoutOf(phase: RebootPhase, s: RebootSettings): number {
  return phase === 'Cordoning' || phase === 'Draining' ? s.drainTimeoutMs : s.rebootTimeoutMs;
}

/** When the node's current step runs out (a drain reports its own outcome at its deadline, given some grace). */
export function rebootDeadline(e: NodeRound, s: RebootSettings): Date {
  const phase = e.phase ?? 'Cordoning';
  return new Date(new Date(e.since).getTime() + timeoutOf(phase, s));
}

const enter = (i: RebootInput, phase: RebootPhase, more: Partial<NodeRound> = {}): RebootStep => ({
  entry: { ...i.entry, ...more, phase, since: i.now.toISOString() },
  actions: [],
});
const fail = (i: RebootInput, message: string): RebootStep => ({ entry: { ...i.entry, state: 'Failed', message: message.slice(0, 4096) }, actions: [] });

function stay(i: RebootInput, what: string, actions: StageAction[] = []): RebootStep {
  const phase = i.entry.phase ?? 'Cordoning';
  const grace = phase === 'Draining' ? DRAIN_REPORT_GRACE_MS : 0;
  const over = i.now.getTime() >= rebootDeadline(i.entry, i.settings).getTime() + grace;
  return over ? fail(i, `${phase}: ${what} within ${secs(timeoutOf(phase, i.settings))}s`) : { entry: i.entry, actions };
}

function cordoning(i: RebootInput): RebootStep {
  if (i.obs?.unschedulable) return enter(i, 'Draining');
  return stay(i, 'node not cordoned', [{ kind: 'cordonNode', node: i.entry.name }]);
}

function draining(i: RebootInput): RebootStep {
  const d = i.obs?.drain;
  const deadline = rebootDeadline(i.entry, i.settings).toISOString();
  if (!d) return stay(i, 'drain not finished', [{ kind: 'drainNode', node: i.entry.name, orderId: i.entry.orderId, deadline }]);
  if (!d.done) return fail(i, d.reason);
  const bootId = i.obs?.bootId;
  if (!bootId) return fail(i, 'boot id unknown: cannot order a guarded reboot');
  return enter(i, 'Rebooting', { bootIdBefore: bootId });
}

function rebooting(i: RebootInput): RebootStep {
  const bootId = i.obs?.bootId;
  if (bootId && bootId !== i.entry.bootIdBefore) return enter(i, 'WaitingReady', { bootIdAfter: bootId });
  if (i.result?.outcome === 'failed') return fail(i, `reboot failed: ${i.result.message}`);
  return stay(i, 'node did not reboot (boot id unchanged)');
}

function waitingReady(i: RebootInput): RebootStep {
  if (i.obs?.ready) return enter(i, 'Uncordoning');
  return stay(i, 'node and Cilium not Ready after the reboot');
}

function uncordoning(i: RebootInput): RebootStep {
  const was = i.entry.wasUnschedulable === true;
  if (i.obs?.unschedulable === was) {
    return { entry: { ...i.entry, state: 'Done', since: i.now.toISOString(), message: `rebooted: boot id ${i.entry.bootIdAfter ?? ''}` }, actions: [] };
  }
  return stay(i, 'schedulability not restored', was ? [] : [{ kind: 'uncordonNode', node: i.entry.name }]);
}

const REBOOT_STEPS: Record<RebootPhase, (i: RebootInput) => RebootStep> = {
  Cordoning: cordoning,
  Draining: draining,
  Rebooting: rebooting,
  WaitingReady: waitingReady,
  Uncordoning: uncordoning,
};

/** One node's reboot, one step further (or where it is, with the actions that step ensures). */
export function advanceReboot(i: RebootInput): RebootStep {
  if (i.entry.state !== 'Running') return { entry: i.entry, actions: [] };
  return REBOOT_STEPS[i.entry.phase ?? 'Cordoning'](i);
}

/** A node's new entry in the reboot round: cordoning, with whether it was cordoned already. */
export function startReboot(e: NodeRound, obs: RebootObservation | undefined): NodeRound {
  return { ...e, phase: 'Cordoning', wasUnschedulable: obs?.unschedulable === true };
}
