/**
 * One function per phase: given the node's state and what is observed now, either the next phase (with
 * what to record) or "stay". Deadlines run from the phase's recorded start (`phase-since`), so a restarted
 * coordinator does not extend them.
 */
import { type Phase } from '../../shared/phases.js';
import { enter, stay, type Decision, type Observations, type Settings, type StateChanges } from './decision.js';
import type { NodeState, OrderDelivery } from './node-state.js';
import { orderIdFor, resultForCurrentOrder } from './orders.js';

export interface StepInput {
  state: NodeState;
  obs: Observations;
  now: Date;
  settings: Settings;
}
type Step = (i: StepInput) => Decision;

/** How long each phase may take before the node halts. */
export function timeoutFor(phase: Phase, s: Settings): number {
  switch (phase) {
    case 'Cordoning':
    case 'Draining':
      return s.drainTimeoutMs;
    case 'RestartingCilium':
    case 'Rebooting':
    case 'WaitingReady':
    case 'RollbackRestartingCilium':
    case 'RollbackRebooting':
    case 'RollbackWaitingReady':
      return s.rebootTimeoutMs;
    default:
      return s.validateTimeoutMs;
  }
}

/** The deadline of the phase's work (the drain runner stops there). */
export function deadlineOf(state: NodeState, s: Settings): Date | undefined {
  if (!state.phaseSince) return undefined;
  return new Date(state.phaseSince.getTime() + timeoutFor(state.phase, s));
}

/**
 * A drain reports its own outcome at its deadline, naming the blocking pod and PDB; the core halts on the
 * bare deadline only if that report has not come this much later.
 */
export const DRAIN_REPORT_GRACE_MS = 10_000;

/** When the node halts if its phase has not completed. */
export function haltDeadlineOf(state: NodeState, s: Settings): Date | undefined {
  const d = deadlineOf(state, s);
  if (!d) return undefined;
  return state.phase === 'Draining' ? new Date(d.getTime() + DRAIN_REPORT_GRACE_MS) : d;
}

const isRebooting = (phase: Phase): boolean => phase === 'Rebooting' || phase === 'RollbackRebooting';

/**
 * When a node that rebooted (its boot id changed) halts if it is not Ready yet. It waits still recorded as
 * Rebooting: the reboot's end is not written (nothing irreversible follows it, and the new boot id is on the
 * Node for any coordinator to see); its Validating patch comes once node and Cilium are Ready. So the wait's
 * deadline runs from the recorded Rebooting start, the reboot's timeout and then the wait's: a restarted
 * coordinator never extends it, and no node gets less than when WaitingReady was recorded with its own start
 * (a reboot within the timeout, then Ready within the timeout from then).
 */
export function afterRebootDeadlineOf(state: NodeState, s: Settings): Date | undefined {
  if (!state.phaseSince || !isRebooting(state.phase)) return undefined;
  return new Date(state.phaseSince.getTime() + 2 * s.rebootTimeoutMs);
}

const expired = (i: StepInput): boolean => {
  const d = haltDeadlineOf(i.state, i.settings);
  return d !== undefined && i.now.getTime() >= d.getTime();
};

const secs = (ms: number): number => Math.round(ms / 1000);

export function halt(i: StepInput, reason: string, more: StateChanges = {}): Decision {
  return enter(i.state, 'Halted', i.now, {
    message: `${i.state.name} halted in ${i.state.phase}: ${reason}`,
    warning: true,
    changes: { haltReason: reason, failedPhase: i.state.phase, ...more },
  });
}

const haltOnDeadline = (i: StepInput, what: string): Decision =>
  expired(i) ? halt(i, `${what} within ${secs(timeoutFor(i.state.phase, i.settings))}s`) : stay(i.state);

/** When the agent was last heard from: this coordinator's own contact, else what the Node records. */
function lastHeard(i: StepInput): Date | undefined {
  const t = Math.max(i.obs.agentHeardAt?.getTime() ?? 0, i.state.agentSeen?.getTime() ?? 0);
  return t > 0 ? new Date(t) : undefined;
}

/** When the node's current order was first handed to its agent (as recorded, else as this coordinator saw it), if it was. */
function deliveryOf(i: StepInput): OrderDelivery | undefined {
  const current = orderIdFor(i.state.name, i.state.attempt, i.state.phase);
  return [i.state.orderDelivered, i.obs.orderDelivered].find((d) => d?.orderId === current);
}

const seen = (heard: Date | undefined): string =>
  heard ? `agent not seen since ${heard.toISOString()}` : 'agent not heard from since the order was issued';

/**
 * Why a phase whose progress needs the agent to act on an order ran out of time: whether the order ever
 * reached the agent, and when the agent was last heard from (a coordinator that crash-looped, or an agent
 * that backed off, is then told apart from a node that got the order and did not do it).
 */
function orderOverdue(i: StepInput, order: string, what: string): string {
  const within = `within ${secs(timeoutFor(i.state.phase, i.settings))}s`;
  const delivered = deliveryOf(i)?.at;
  return delivered
    ? `${what} ${within} (${order} order delivered at ${delivered.toISOString()}; ${seen(lastHeard(i))})`
    : `${order} order never delivered ${within}: ${seen(lastHeard(i))}`;
}

/** What a halt over an order records besides its reason: the order's delivery and when the agent was last heard from. */
function heardChanges(i: StepInput): StateChanges {
  const heard = lastHeard(i);
  const delivery = deliveryOf(i);
  return { ...(heard ? { agentSeen: heard } : {}), ...(delivery ? { orderDelivered: delivery } : {}) };
}

const haltOverdueOrder = (i: StepInput, order: string, what: string): Decision =>
  expired(i) ? halt(i, orderOverdue(i, order, what), heardChanges(i)) : stay(i.state);

const startMigration: Step = (i) =>
  i.obs.granted
    ? enter(i.state, 'Cordoning', i.now, {
        message: `granted: migrating ${i.state.name} to Cilium`,
        changes: {
          attempt: i.state.attempt + 1,
          direction: 'migrate',
          wasUnschedulable: i.obs.unschedulable,
          haltReason: undefined,
          failedPhase: undefined,
          startedAt: i.now,
          finishedAt: undefined,
        },
      })
    : stay(i.state);

const cordoning: Step = (i) =>
  i.obs.unschedulable
    ? enter(i.state, 'Draining', i.now, { message: 'cordoned' })
    : haltOnDeadline(i, 'node not cordoned');

const draining: Step = (i) => {
  const d = i.obs.drain;
  if (d?.done) return enter(i.state, 'Labeling', i.now, { message: 'drained' });
  if (d) return halt(i, d.reason);
  return haltOnDeadline(i, 'drain not finished');
};

const labeling: Step = (i) =>
  i.obs.labeled
    ? enter(i.state, 'RestartingCilium', i.now, {
        message: 'labeled for the Cilium migration config',
        changes: { ciliumPodBefore: i.obs.ciliumPod?.uid ?? '' },
      })
    : haltOnDeadline(i, 'label not applied');

const unlabeling: Step = (i) =>
  i.obs.labeled
    ? haltOnDeadline(i, 'label not removed')
    : enter(i.state, 'RollbackRestoringCniFiles', i.now, { message: 'migration label removed' });

function restartingCilium(next: Phase): Step {
  return (i) => {
    const pod = i.obs.ciliumPod;
    if (!pod || pod.uid === i.state.ciliumPodBefore || !pod.ready) {
      return haltOnDeadline(i, 'replacement Cilium pod not Ready');
    }
    if (!i.obs.bootId) return halt(i, 'boot id unknown: cannot order a guarded reboot');
    return enter(i.state, next, i.now, {
      message: `Cilium pod replaced and Ready; rebooting (boot id ${i.obs.bootId})`,
      changes: { bootIdBefore: i.obs.bootId },
    });
  };
}

/** The node rebooted: once node and Cilium are Ready it goes on (through `next` to validating, in one patch); until then it waits, unrecorded. */
function rebooted(i: StepInput, next: Phase, bootId: string): Decision {
  const missing = whatIsNotReady(i.obs);
  if (!missing) return enter(i.state, next, i.now, { message: `rebooted (new boot id ${bootId})` });
  const deadline = afterRebootDeadlineOf(i.state, i.settings);
  if (deadline === undefined || i.now.getTime() < deadline.getTime()) return stay(i.state);
  return halt(i, `after reboot (new boot id ${bootId}): ${missing} within ${secs(2 * i.settings.rebootTimeoutMs)}s of the reboot order`);
}

function rebooting(next: Phase): Step {
  return (i) => {
    if (i.obs.bootId && i.obs.bootId !== i.state.bootIdBefore) return rebooted(i, next, i.obs.bootId);
    const r = resultForCurrentOrder(i.state);
    if (r?.outcome === 'failed') return halt(i, `reboot failed: ${r.message}`);
    return haltOverdueOrder(i, 'reboot', 'node did not reboot (boot id unchanged)');
  };
}

function whatIsNotReady(obs: Observations): string {
  if (!obs.nodeReady) return 'node not Ready';
  if (!obs.ciliumPod?.ready) return 'Cilium pod not Ready';
  return '';
}

function waitingReady(next: Phase): Step {
  return (i) => {
    const missing = whatIsNotReady(i.obs);
    if (missing) return haltOnDeadline(i, `after reboot: ${missing}`);
    return enter(i.state, next, i.now, {
      message: 'node and Cilium Ready; validating',
      changes: { peers: i.obs.peerCandidates },
    });
  };
}

function failValidation(i: StepInput, reason: string, more: StateChanges = {}): Decision {
  if (i.settings.autoRollback && i.state.direction === 'migrate') {
    return enter(i.state, 'RollbackUnlabeling', i.now, {
      message: `validation failed, rolling back: ${reason}`,
      warning: true,
      changes: { direction: 'rollback', haltReason: `rolled back automatically: ${reason}`, failedPhase: i.state.phase, ...more },
    });
  }
  return halt(i, reason, more);
}

function validating(next: Phase): Step {
  return (i) => {
    const r = resultForCurrentOrder(i.state);
    if (r?.outcome === 'succeeded') return enter(i.state, next, i.now, { message: `validated: ${r.message}` });
    if (r) return failValidation(i, `validation ${r.outcome}: ${r.message}`);
    if (expired(i)) return failValidation(i, orderOverdue(i, 'validation', 'validation not reported'), heardChanges(i));
    return stay(i.state);
  };
}

const restoringCniFiles: Step = (i) => {
  const r = resultForCurrentOrder(i.state);
  if (r?.outcome === 'succeeded') {
    return enter(i.state, 'RollbackRestartingCilium', i.now, {
      message: 'CNI files restored',
      changes: { ciliumPodBefore: i.obs.ciliumPod?.uid ?? '' },
    });
  }
  if (r) return halt(i, `restoring CNI files ${r.outcome}: ${r.message}`);
  return haltOverdueOrder(i, 'restore-cni-files', 'CNI files not restored');
};

function uncordoning(next: Phase): Step {
  return (i) =>
    i.obs.unschedulable === i.state.wasUnschedulable
      ? enter(i.state, next, i.now, {
          message: next === 'Done' ? 'migrated to Cilium' : 'rolled back to Calico',
          changes: { finishedAt: i.now },
        })
      : haltOnDeadline(i, 'schedulability not restored');
}

export const STEPS: Record<Phase, Step> = {
  Pending: startMigration,
  Cordoning: cordoning,
  Draining: draining,
  Labeling: labeling,
  RestartingCilium: restartingCilium('Rebooting'),
  Rebooting: rebooting('WaitingReady'),
  WaitingReady: waitingReady('Validating'),
  Validating: validating('Uncordoning'),
  Uncordoning: uncordoning('Done'),
  Done: (i) => stay(i.state),
  RollbackUnlabeling: unlabeling,
  RollbackRestoringCniFiles: restoringCniFiles,
  RollbackRestartingCilium: restartingCilium('RollbackRebooting'),
  RollbackRebooting: rebooting('RollbackWaitingReady'),
  RollbackWaitingReady: waitingReady('RollbackValidating'),
  RollbackValidating: validating('RollbackUncordoning'),
  RollbackUncordoning: uncordoning('RolledBack'),
  RolledBack: (i) => stay(i.state),
  Halted: (i) => stay(i.state),
};
