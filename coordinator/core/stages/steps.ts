/**
 * One function per stage step, like the per-node steps: (record, observations, now) → the next step (with
 * what to record), or stay with the "ensure" actions of the step. Deadlines run from the recorded `since`.
 * Pure.
 */
import { refKey, removalPlan, whatRemains, type RemovalStep } from './calico-removal.js';
import { enterStage, enterStep, haltStage, keep, update, type ClusterObservations, type StageDecision, type StageSettings, type StageSpec } from './decision.js';
import { gateMessage } from './promotion.js';
import { stageAfter, firstStepOf, type StageName, type StageRecord, type StageStep } from './record.js';
import { advanceRound, type RoundOutcome } from './rounds.js';
import { leftoverText, withInventories } from './inventories.js';
import { advanceReboot, startReboot } from './reboots.js';
import type { StageAction } from './decision.js';

export interface StageInput {
  record: StageRecord;
  spec: StageSpec;
  obs: ClusterObservations;
  now: Date;
  settings: StageSettings;
}
type StageStepFn = (i: StageInput) => StageDecision;

const secs = (ms: number): number => Math.round(ms / 1000);
const expired = (i: StageInput, timeoutMs: number): boolean => i.now.getTime() - new Date(i.record.since).getTime() >= timeoutMs;

/** The id of a node's order in the current stage step (deterministic: a re-derived order keeps its id). */
export function stageOrderId(node: string, record: Pick<StageRecord, 'attempt' | 'step'>): string {
  const suffix = `.s${record.attempt}.${record.step}`;
  return `${node.slice(0, 128 - suffix.length)}${suffix}`;
}

const STAGE_ENABLED: Record<StageName, (s: StageSpec) => boolean> = {
  Promote: (s) => s.promote,
  RemoveCalico: (s) => s.removeCalico,
  CleanNodes: (s) => s.cleanNodes,
  RebootNodes: (s) => s.rebootNodes,
  RemoveCrds: (s) => s.removeCrds,
};
/** Stages the run passes over when not enabled (the others wait for their field). */
const OPTIONAL_STAGES: readonly StageName[] = ['RebootNodes'];
export const stageEnabled = (stage: StageName, spec: StageSpec): boolean => STAGE_ENABLED[stage](spec);

/** The stage after `stage`, passing over an optional stage that is not enabled (none after the last). */
function nextStage(stage: StageName, spec: StageSpec): StageName | undefined {
  let next = stageAfter(stage);
  while (next && OPTIONAL_STAGES.includes(next) && !stageEnabled(next, spec)) next = stageAfter(next);
  return next;
}

const awaitingPromotion: StageStepFn = (i) => {
  const { obs } = i;
  if (obs.promotionMissing.length === 0) {
    const restartedAt = i.now.toISOString();
    return enterStep(i.record, 'RestartingCiliumDaemonSet', i.now, {
      message: `cilium-config shows the promotion; restarting ds/cilium (restartedAt ${restartedAt})`,
      changes: { restartedAt },
      actions: [{ kind: 'restartCiliumDaemonSet', restartedAt }],
    });
  }
  const mayPatch = i.spec.patchCiliumConfig && !obs.helm;
  return keep(i.record, mayPatch ? [{ kind: 'patchCiliumConfig' }] : [], gateMessage({ missing: obs.promotionMissing, helm: obs.helm, mayPatch }));
};

const restartingCiliumDaemonSet: StageStepFn = (i) => {
  const stamp = i.record.restartedAt ?? i.record.since;
  if (i.obs.ciliumDaemonSetRestartedAt === stamp) {
    return enterStep(i.record, 'WaitingRollout', i.now, { message: 'ds/cilium restarted; waiting for its rollout' });
  }
  if (expired(i, i.settings.removalTimeoutMs)) return haltStage(i.record, `ds/cilium not restarted within ${secs(i.settings.removalTimeoutMs)}s`);
  return keep(i.record, [{ kind: 'restartCiliumDaemonSet', restartedAt: stamp }]);
};

const waitingRollout: StageStepFn = (i) => {
  const problem = i.obs.ciliumRolloutProblem;
  if (problem === undefined) {
    return enterStep(i.record, 'Revalidating', i.now, { message: 'ds/cilium rolled out; validating every node again', changes: { nodes: [] } });
  }
  if (expired(i, i.settings.rolloutTimeoutMs)) return haltStage(i.record, `ds/cilium not rolled out within ${secs(i.settings.rolloutTimeoutMs)}s: ${problem}`);
  return keep(i.record, [], problem);
};

function round(i: StageInput, timeoutMs: number, steps: Pick<Parameters<typeof advanceRound>[0], 'settle' | 'start'> = {}): RoundOutcome {
  return advanceRound({
    ...steps,
    entries: i.record.nodes,
    nodes: i.obs.nodes,
    results: i.obs.results,
    concurrency: i.settings.concurrency,
    now: i.now,
    timeoutMs,
    orderIdOf: (n) => stageOrderId(n, i.record),
  });
}

const revalidating: StageStepFn = (i) => {
  const r = round(i, i.settings.validateTimeoutMs);
  if (r.failed) return haltStage({ ...i.record, nodes: r.entries }, `validation of ${r.failed.name} ${r.failed.message ?? 'failed'}`);
  if (r.done) return enterStep(i.record, 'DeletingNodeConfig', i.now, { message: 'every node validated again', changes: { nodes: r.entries } });
  return r.changed ? update(i.record, { nodes: r.entries }) : keep(i.record);
};

const deletingNodeConfig: StageStepFn = (i) => {
  if (!i.obs.nodeConfigPresent) return finishStage(i, 'CiliumNodeConfig deleted: Cilium is the cluster CNI');
  if (expired(i, i.settings.removalTimeoutMs)) return haltStage(i.record, `CiliumNodeConfig not deleted within ${secs(i.settings.removalTimeoutMs)}s`);
  return keep(i.record, [{ kind: 'deleteNodeConfig' }]);
};

/** The stage's last step is over: record it Done (the next stage starts when enabled). */
function finishStage(i: StageInput, message: string): StageDecision {
  return enterStep(i.record, 'Done', i.now, { message });
}

const stageDone: StageStepFn = (i) => {
  if (i.record.stage === 'Complete') return keep(i.record);
  const next = nextStage(i.record.stage, i.spec);
  if (!next) return enterStage(i.record, { stage: 'Complete', step: 'Done' }, i.now, 'every stage done: the migration is complete');
  if (!stageEnabled(next, i.spec)) return keep(i.record, [], `spec.stages.${next[0]?.toLowerCase() ?? ''}${next.slice(1)} is not enabled`);
  const entered = enterStage(i.record, { stage: next, step: firstStepOf(next) }, i.now, `${i.record.stage} done; starting ${next}`);
  if (next !== 'RemoveCalico' || !entered.record) return entered;
  return { ...entered, record: { ...entered.record, method: i.obs.installMethod } };
};

function stepAfterBackup(i: StageInput): StageStep {
  return removalPlan(i.record.method ?? 'none')[0]?.step ?? 'Done';
}

const backingUp: StageStepFn = (i) => {
  const b = i.obs.backup;
  if (b && 'error' in b) return haltStage(i.record, `backup failed: ${b.error}`);
  if (b) {
    return enterStep(i.record, stepAfterBackup(i), i.now, {
      message: `backed up ${b.objects} Calico objects into ${b.configMaps.length} ConfigMaps; removing the ${i.record.method ?? 'none'} install`,
      changes: { backup: b },
    });
  }
  if (expired(i, i.settings.removalTimeoutMs)) return haltStage(i.record, `backup not done within ${secs(i.settings.removalTimeoutMs)}s`);
  return keep(i.record, [{ kind: 'backupCalico' }]);
};

function removing(step: RemovalStep): StageStepFn {
  return (i) => {
    const remains = whatRemains(step, i.obs.objects);
    if (remains.length === 0) {
      const plan = removalPlan(i.record.method ?? 'none');
      const next = plan[plan.indexOf(step) + 1];
      if (next) return enterStep(i.record, next.step, i.now, { message: `${step.step}: done` });
      return finishStage(i, `Calico (${i.record.method ?? 'none'} install) removed`);
    }
    if (expired(i, i.settings.removalTimeoutMs)) return haltStage(i.record, `not gone within ${secs(i.settings.removalTimeoutMs)}s: ${remains.join('; ')}`);
    const refs = step.remove.filter((r) => i.obs.objects.get(refKey(r))?.deleting === false);
    return keep(i.record, refs.length > 0 ? [{ kind: 'deleteObjects', refs }] : [], remains.join('; '));
  };
}

function removalStepFn(i: StageInput): StageDecision {
  const step = removalPlan(i.record.method ?? 'none').find((s) => s.step === i.record.step);
  return step ? removing(step)(i) : finishStage(i, `nothing to remove for ${i.record.method ?? 'none'}`);
}

const cleaning: StageStepFn = (i) => {
  const r = round(i, i.settings.cleanupTimeoutMs);
  const wasRunning = new Set(i.record.nodes.filter((e) => e.state === 'Running').map((e) => e.name));
  const recorded = r.entries
    .filter((e) => e.found !== undefined && e.state !== 'Running' && wasRunning.has(e.name))
    .map((e) => ({ kind: 'recordInventory' as const, node: e.name, found: e.found ?? {}, left: e.left ?? 0, ...(e.leftByKind ? { leftByKind: e.leftByKind } : {}) }));
  const record = { ...i.record, nodes: r.entries, inventories: withInventories(i.record.inventories, r.entries) };
  if (r.failed) return { ...haltStage(record, `${r.failed.name}: ${leftoverText(r.failed)} (${r.failed.message ?? ''})`), actions: recorded };
  if (r.done) return { ...finishStage({ ...i, record }, 'every node cleaned: no Calico left'), actions: recorded };
  return r.changed ? update(i.record, { nodes: r.entries, inventories: record.inventories }, recorded) : keep(i.record);
};

/** The second rolling reboot: each node's entry moves through its own steps; a failed one halts the stage. */
const rebootingNodes: StageStepFn = (i) => {
  const actions: StageAction[] = [];
  const { drainTimeoutMs, rebootTimeoutMs } = i.settings;
  const r = round(i, rebootTimeoutMs, {
    settle: (entry) => {
      const step = advanceReboot({ entry, obs: i.obs.rebootNodes.get(entry.name), result: i.obs.results.get(entry.name), now: i.now, settings: { drainTimeoutMs, rebootTimeoutMs } });
      actions.push(...step.actions);
      return step.entry;
    },
    start: (e) => startReboot(e, i.obs.rebootNodes.get(e.name)),
  });
  if (r.failed) return haltStage({ ...i.record, nodes: r.entries }, `${r.failed.name}: ${r.failed.message ?? 'reboot failed'}`);
  if (r.done) return finishStage({ ...i, record: { ...i.record, nodes: r.entries } }, 'every node rebooted once more');
  return r.changed ? update(i.record, { nodes: r.entries }, actions) : keep(i.record, actions);
};

const removingCrds: StageStepFn = (i) => {
  const left = i.obs.crdsPresent;
  const removed = i.record.crdsRemoved ?? [];
  const known = [...new Set([...removed, ...left])].sort();
  if (left.length === 0) return finishStage({ ...i, record: { ...i.record, crdsRemoved: known } }, `removed ${known.length} Calico CRDs`);
  if (expired(i, i.settings.removalTimeoutMs)) return haltStage(i.record, `CRDs not gone within ${secs(i.settings.removalTimeoutMs)}s: ${left.join(', ')}`);
  const actions = [{ kind: 'deleteCrds' as const, names: [...left] }];
  return known.length !== removed.length ? update(i.record, { crdsRemoved: known }, actions) : keep(i.record, actions, left.join(', '));
};

const STEP_FNS: Partial<Record<StageStep, StageStepFn>> = {
  AwaitingPromotion: awaitingPromotion,
  RestartingCiliumDaemonSet: restartingCiliumDaemonSet,
  WaitingRollout: waitingRollout,
  Revalidating: revalidating,
  DeletingNodeConfig: deletingNodeConfig,
  Done: stageDone,
  BackingUp: backingUp,
  RemovingApiServer: removalStepFn,
  RemovingInstallation: removalStepFn,
  RemovingOperator: removalStepFn,
  RemovingManifest: removalStepFn,
  Cleaning: cleaning,
  RebootingNodes: rebootingNodes,
  RemovingCrds: removingCrds,
};

export function stepOf(i: StageInput): StageDecision {
  const fn = STEP_FNS[i.record.step];
  return fn ? fn(i) : keep(i.record);
}
