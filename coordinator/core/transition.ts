/**
 * The pure transition function: (node state, observations, now) → next phase, the intent to record, and
 * the actions to carry out. No I/O, no clock of its own. Actions are "ensure" actions derived from the
 * resulting state, so evaluating the same inputs twice (or after a restart) asks for the same idempotent work.
 *
 * Operator requests (annotation `cni-migrate.io/request` on the Node):
 * - `retry` on a Halted node: back to the failed step (a failed drain goes back to Cordoning, since the
 *   node's schedulability was restored); on a RolledBack node: migrate it again from the start.
 * - `rollback` on a Halted node: the rollback path (a node that halted before it was drained only has its
 *   schedulability restored).
 * Both need the node to hold a grant; a request in any other phase is cleared without effect.
 */
import { isInFlight, type Phase } from '../../shared/phases.js';
import { enter, stay, type Action, type Decision, type Observations, type Settings } from './decision.js';
import { REQUEST_PHASES, type NodeState } from './node-state.js';
import { deadlineOf, halt, STEPS, type StepInput } from './steps.js';

/** Where `retry` resumes a node that failed in `failed`. */
export function retryPhaseFor(failed: Phase | undefined): Phase {
  if (failed === undefined || failed === 'Draining' || failed === 'Halted' || failed === 'Pending') return 'Cordoning';
  return failed;
}

/** Where `rollback` starts for a node that failed in `failed`. */
export function rollbackPhaseFor(failed: Phase | undefined): Phase {
  return failed === 'Cordoning' || failed === 'Draining' ? 'RollbackUncordoning' : 'RollbackUnlabeling';
}

/** The node needs a grant slot before its next step. */
export function wantsGrant(state: NodeState): boolean {
  if (state.phase === 'Pending') return true;
  if (isInFlight(state.phase) && state.phase !== 'Halted') return true;
  if (REQUEST_PHASES.includes(state.phase)) return state.request !== undefined;
  return false;
}

const CLEARED = { haltReason: undefined, failedPhase: undefined, request: undefined } as const;

function actOnRequest(i: StepInput): Decision | undefined {
  const { state, obs, now } = i;
  if (!state.request || !REQUEST_PHASES.includes(state.phase) || !obs.granted) return undefined;
  if (state.phase === 'RolledBack') {
    if (state.request === 'rollback') return undefined;
    return enter(state, 'Cordoning', now, {
      message: 'retry requested: migrating again',
      changes: {
        ...CLEARED,
        attempt: state.attempt + 1,
        direction: 'migrate',
        wasUnschedulable: obs.unschedulable,
        startedAt: now,
        finishedAt: undefined,
      },
    });
  }
  if (state.request === 'retry') {
    const to = retryPhaseFor(state.failedPhase);
    const peers = to === 'Validating' || to === 'RollbackValidating' ? { peers: obs.peerCandidates } : {};
    return enter(state, to, now, {
      message: `retry requested: back to ${to}`,
      changes: { ...CLEARED, ...peers, attempt: state.attempt + 1 },
    });
  }
  return enter(state, rollbackPhaseFor(state.failedPhase), now, {
    message: 'rollback requested',
    changes: { ...CLEARED, attempt: state.attempt + 1, direction: 'rollback' },
  });
}

function restoreSchedulability(s: NodeState, o: Observations): Action[] {
  if (o.unschedulable === s.wasUnschedulable) return [];
  return [{ kind: s.wasUnschedulable ? 'cordon' : 'uncordon' }];
}

type ActionRule = (s: NodeState, o: Observations, settings: Settings) => Action[];

const none: ActionRule = () => [];
const restartCilium: ActionRule = (s, o) =>
  o.ciliumPod && o.ciliumPod.uid === s.ciliumPodBefore ? [{ kind: 'restartCilium', uid: o.ciliumPod.uid }] : [];

const PHASE_ACTIONS: Partial<Record<Phase, ActionRule>> = {
  Cordoning: (_s, o) => (o.unschedulable ? [] : [{ kind: 'cordon' }]),
  Draining: (s, o, settings) => (o.drain ? [] : [{ kind: 'drain', deadline: deadlineOf(s, settings) ?? new Date(0) }]),
  Labeling: (_s, o) => (o.labeled ? [] : [{ kind: 'label' }]),
  RollbackUnlabeling: (_s, o) => (o.labeled ? [{ kind: 'unlabel' }] : []),
  RestartingCilium: restartCilium,
  RollbackRestartingCilium: restartCilium,
  Uncordoning: restoreSchedulability,
  RollbackUncordoning: restoreSchedulability,
  Halted: (s, o) => (s.failedPhase === 'Draining' ? restoreSchedulability(s, o) : []),
};

function holdsGrantNeedlessly(s: NodeState, o: Observations): boolean {
  if (!o.granted) return false;
  if (s.phase === 'Done' || s.phase === 'RolledBack') return s.request === undefined;
  return s.phase === 'Halted' && s.failedPhase === 'Draining' && s.request === undefined;
}

/** The "ensure" actions for a node in state `s` given what is observed. */
export function actionsFor(s: NodeState, o: Observations, settings: Settings): Action[] {
  const actions = (PHASE_ACTIONS[s.phase] ?? none)(s, o, settings);
  if (holdsGrantNeedlessly(s, o)) actions.push({ kind: 'releaseGrant' });
  if (s.request && !REQUEST_PHASES.includes(s.phase)) actions.push({ kind: 'clearRequest' });
  return actions;
}

/**
 * The zero-downtime probe saw the cluster's traffic suffer past a `spec.probe` threshold during this node's
 * hand-off: the node halts where it is (a rollback is never interrupted: it is the way back).
 */
function haltOnProbe(i: StepInput): Decision | undefined {
  const { state, obs } = i;
  if (!obs.probeBreach || state.direction !== 'migrate' || !isInFlight(state.phase) || state.phase === 'Halted') return undefined;
  return halt(i, obs.probeBreach);
}

export function transition(state: NodeState, obs: Observations, now: Date, settings: Settings): Decision {
  const input: StepInput = { state, obs, now, settings };
  const decided = actOnRequest(input) ?? haltOnProbe(input) ?? STEPS[state.phase](input);
  const base = decided.transition ? decided : stay(state);
  return { ...base, actions: actionsFor(base.state, obs, settings) };
}
