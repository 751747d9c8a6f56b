import { describe, expect, it } from '@jest/globals';
import { NodeAnnotation } from '../../../shared/names.js';
import type { Phase } from '../../../shared/phases.js';
import type { Observations } from '../../../coordinator/core/decision.js';
import type { NodeState } from '../../../coordinator/core/node-state.js';
import { orderIdFor } from '../../../coordinator/core/orders.js';
import { retryPhaseFor, rollbackPhaseFor, transition, wantsGrant } from '../../../coordinator/core/transition.js';
import { BOOT_A, BOOT_B, later, obs, settings, state, T0 } from './fixtures.js';

interface Row {
  when: string;
  s: Partial<NodeState>;
  o?: Partial<Observations>;
  at?: number;
  auto?: boolean;
  phase: Phase;
  actions: string[];
  patch?: Record<string, string | null>;
}

const result = (phase: Phase, outcome: 'succeeded' | 'failed' | 'refused', attempt = 1) => ({
  lastResult: { orderId: orderIdFor('w1', attempt, phase), outcome, message: 'dns kubernetes.default: timeout' },
});

const rows: Row[] = [
  // Pending
  { when: 'pending and not granted', s: {}, o: { granted: false }, phase: 'Pending', actions: [] },
  {
    when: 'pending and granted',
    s: { attempt: 0 },
    phase: 'Cordoning',
    actions: ['cordon'],
    patch: { [NodeAnnotation.wasUnschedulable]: 'false', [NodeAnnotation.attempt]: '1' },
  },
  {
    when: 'pending, granted, already unschedulable',
    s: { attempt: 0 },
    o: { unschedulable: true },
    phase: 'Cordoning',
    actions: [],
    patch: { [NodeAnnotation.wasUnschedulable]: 'true' },
  },
  // Cordoning
  { when: 'cordoning, not yet cordoned', s: { phase: 'Cordoning' }, phase: 'Cordoning', actions: ['cordon'] },
  { when: 'cordoning, cordoned', s: { phase: 'Cordoning' }, o: { unschedulable: true }, phase: 'Draining', actions: ['drain'] },
  { when: 'cordoning past its deadline', s: { phase: 'Cordoning' }, at: 61_000, phase: 'Halted', actions: [] },
  // Draining
  { when: 'draining, drain running', s: { phase: 'Draining' }, o: { unschedulable: true }, phase: 'Draining', actions: ['drain'] },
  {
    when: 'draining, drain done',
    s: { phase: 'Draining' },
    o: { unschedulable: true, drain: { done: true } },
    phase: 'Labeling',
    actions: ['label'],
  },
  {
    when: 'draining, drain blocked by a PDB',
    s: { phase: 'Draining' },
    o: { unschedulable: true, drain: { done: false, reason: 'blocked by PodDisruptionBudget app/web-pdb' } },
    phase: 'Halted',
    actions: ['uncordon', 'releaseGrant'],
    patch: {
      [NodeAnnotation.haltReason]: 'blocked by PodDisruptionBudget app/web-pdb',
      [NodeAnnotation.failedPhase]: 'Draining',
    },
  },
  {
    when: 'draining blocked on a node that was unschedulable before',
    s: { phase: 'Draining', wasUnschedulable: true },
    o: { unschedulable: true, drain: { done: false, reason: 'x' } },
    phase: 'Halted',
    actions: ['releaseGrant'],
  },
  { when: 'draining at its deadline, the drain still to report', s: { phase: 'Draining' }, o: { unschedulable: true }, at: 60_000, phase: 'Draining', actions: ['drain'] },
  { when: 'draining long past its deadline with no report', s: { phase: 'Draining' }, o: { unschedulable: true }, at: 70_000, phase: 'Halted', actions: ['uncordon', 'releaseGrant'] },
  // Labeling
  { when: 'labeling, not labeled', s: { phase: 'Labeling' }, phase: 'Labeling', actions: ['label'] },
  {
    when: 'labeling, labeled',
    s: { phase: 'Labeling' },
    o: { labeled: true },
    phase: 'RestartingCilium',
    actions: ['restartCilium'],
    patch: { [NodeAnnotation.ciliumPodBefore]: 'pod-old' },
  },
  // RestartingCilium
  { when: 'restarting Cilium, old pod still there', s: { phase: 'RestartingCilium', ciliumPodBefore: 'pod-old' }, phase: 'RestartingCilium', actions: ['restartCilium'] },
  {
    when: 'restarting Cilium, replacement not Ready',
    s: { phase: 'RestartingCilium', ciliumPodBefore: 'pod-old' },
    o: { ciliumPod: { uid: 'pod-new', ready: false } },
    phase: 'RestartingCilium',
    actions: [],
  },
  {
    when: 'restarting Cilium, replacement Ready',
    s: { phase: 'RestartingCilium', ciliumPodBefore: 'pod-old' },
    o: { ciliumPod: { uid: 'pod-new', ready: true } },
    phase: 'Rebooting',
    actions: [],
    patch: { [NodeAnnotation.bootIdBefore]: BOOT_A, [NodeAnnotation.orderId]: 'w1.1.Rebooting' },
  },
  {
    when: 'restarting Cilium, boot id unknown',
    s: { phase: 'RestartingCilium', ciliumPodBefore: 'pod-old' },
    o: { ciliumPod: { uid: 'pod-new', ready: true }, bootId: undefined },
    phase: 'Halted',
    actions: [],
  },
  { when: 'restarting Cilium past its deadline', s: { phase: 'RestartingCilium', ciliumPodBefore: 'pod-old' }, o: { ciliumPod: { uid: 'pod-new', ready: false } }, at: 300_000, phase: 'Halted', actions: [] },
  // Rebooting
  { when: 'rebooting, boot id unchanged', s: { phase: 'Rebooting', bootIdBefore: BOOT_A }, phase: 'Rebooting', actions: [] },
  { when: 'rebooting, new boot id', s: { phase: 'Rebooting', bootIdBefore: BOOT_A }, o: { bootId: BOOT_B }, phase: 'WaitingReady', actions: [] },
  { when: 'rebooting, the agent refused (boot id moved on)', s: { phase: 'Rebooting', bootIdBefore: BOOT_A, ...result('Rebooting', 'refused') }, phase: 'Rebooting', actions: [] },
  { when: 'rebooting, the agent failed', s: { phase: 'Rebooting', bootIdBefore: BOOT_A, ...result('Rebooting', 'failed') }, phase: 'Halted', actions: [] },
  { when: 'rebooting past its deadline', s: { phase: 'Rebooting', bootIdBefore: BOOT_A }, at: 300_000, phase: 'Halted', actions: [] },
  // WaitingReady
  { when: 'waiting, node not Ready', s: { phase: 'WaitingReady' }, o: { nodeReady: false }, phase: 'WaitingReady', actions: [] },
  { when: 'waiting, Cilium not Ready', s: { phase: 'WaitingReady' }, o: { ciliumPod: { uid: 'p', ready: false } }, phase: 'WaitingReady', actions: [] },
  { when: 'waiting, no Cilium pod past the deadline', s: { phase: 'WaitingReady' }, o: { ciliumPod: undefined }, at: 300_000, phase: 'Halted', actions: [] },
  {
    when: 'waiting, node and Cilium Ready',
    s: { phase: 'WaitingReady' },
    phase: 'Validating',
    actions: [],
    patch: { [NodeAnnotation.validatePeers]: '10.245.1.5 10.244.2.7', [NodeAnnotation.orderId]: 'w1.1.Validating' },
  },
  // Validating
  { when: 'validating, no result yet', s: { phase: 'Validating' }, o: { unschedulable: true }, phase: 'Validating', actions: [] },
  { when: 'validating, succeeded', s: { phase: 'Validating', ...result('Validating', 'succeeded') }, o: { unschedulable: true }, phase: 'Uncordoning', actions: ['uncordon'] },
  { when: 'validating, a result for an older attempt', s: { phase: 'Validating', attempt: 2, ...result('Validating', 'failed', 1) }, phase: 'Validating', actions: [] },
  { when: 'validating, failed', s: { phase: 'Validating', ...result('Validating', 'failed') }, phase: 'Halted', actions: [] },
  { when: 'validating, failed with auto-rollback', s: { phase: 'Validating', ...result('Validating', 'failed') }, o: { labeled: true }, auto: true, phase: 'RollbackUnlabeling', actions: ['unlabel'], patch: { [NodeAnnotation.direction]: 'rollback' } },
  { when: 'validating past its deadline', s: { phase: 'Validating' }, at: 120_000, phase: 'Halted', actions: [] },
  // Uncordoning
  { when: 'uncordoning, still cordoned', s: { phase: 'Uncordoning' }, o: { unschedulable: true }, phase: 'Uncordoning', actions: ['uncordon'] },
  { when: 'uncordoning, schedulable', s: { phase: 'Uncordoning' }, phase: 'Done', actions: ['releaseGrant'] },
  { when: 'uncordoning a node cordoned before', s: { phase: 'Uncordoning', wasUnschedulable: true }, o: { unschedulable: true }, phase: 'Done', actions: ['releaseGrant'] },
  { when: 'done and still granted', s: { phase: 'Done' }, phase: 'Done', actions: ['releaseGrant'] },
  { when: 'done, released', s: { phase: 'Done' }, o: { granted: false }, phase: 'Done', actions: [] },
  { when: 'done with a stray request', s: { phase: 'Done', request: 'retry' }, o: { granted: false }, phase: 'Done', actions: ['clearRequest'] },
  // Rollback path
  { when: 'unlabeling, labeled', s: { phase: 'RollbackUnlabeling', direction: 'rollback' }, o: { labeled: true }, phase: 'RollbackUnlabeling', actions: ['unlabel'] },
  { when: 'unlabeling, unlabeled', s: { phase: 'RollbackUnlabeling', direction: 'rollback' }, phase: 'RollbackRestoringCniFiles', actions: [], patch: { [NodeAnnotation.orderId]: 'w1.1.RollbackRestoringCniFiles' } },
  { when: 'restoring CNI files, succeeded', s: { phase: 'RollbackRestoringCniFiles', ...result('RollbackRestoringCniFiles', 'succeeded') }, phase: 'RollbackRestartingCilium', actions: ['restartCilium'] },
  { when: 'restoring CNI files, failed', s: { phase: 'RollbackRestoringCniFiles', ...result('RollbackRestoringCniFiles', 'failed') }, phase: 'Halted', actions: [] },
  { when: 'rollback restart, replacement Ready', s: { phase: 'RollbackRestartingCilium', ciliumPodBefore: 'pod-old' }, o: { ciliumPod: { uid: 'n', ready: true } }, phase: 'RollbackRebooting', actions: [] },
  { when: 'rollback reboot, new boot id', s: { phase: 'RollbackRebooting', bootIdBefore: BOOT_A }, o: { bootId: BOOT_B }, phase: 'RollbackWaitingReady', actions: [] },
  { when: 'rollback waiting, Ready', s: { phase: 'RollbackWaitingReady' }, phase: 'RollbackValidating', actions: [] },
  { when: 'rollback validation failed, even with auto-rollback', s: { phase: 'RollbackValidating', direction: 'rollback', ...result('RollbackValidating', 'failed') }, auto: true, phase: 'Halted', actions: [] },
  { when: 'rollback validated', s: { phase: 'RollbackValidating', ...result('RollbackValidating', 'succeeded') }, o: { unschedulable: true }, phase: 'RollbackUncordoning', actions: ['uncordon'] },
  { when: 'rollback uncordoned', s: { phase: 'RollbackUncordoning' }, phase: 'RolledBack', actions: ['releaseGrant'] },
  // Halted and requests
  { when: 'halted without a request', s: { phase: 'Halted', failedPhase: 'Validating', haltReason: 'x' }, phase: 'Halted', actions: [] },
  { when: 'halted, retry requested, not granted', s: { phase: 'Halted', failedPhase: 'Draining', request: 'retry' }, o: { granted: false }, phase: 'Halted', actions: [] },
  {
    when: 'halted in validation, retry granted',
    s: { phase: 'Halted', failedPhase: 'Validating', haltReason: 'x', request: 'retry' },
    phase: 'Validating',
    actions: [],
    patch: { [NodeAnnotation.attempt]: '2', [NodeAnnotation.haltReason]: null, [NodeAnnotation.request]: null, [NodeAnnotation.orderId]: 'w1.2.Validating' },
  },
  { when: 'halted in drain, retry granted', s: { phase: 'Halted', failedPhase: 'Draining', request: 'retry' }, phase: 'Cordoning', actions: ['cordon'] },
  { when: 'halted in validation, rollback granted', s: { phase: 'Halted', failedPhase: 'Validating', request: 'rollback' }, o: { labeled: true, unschedulable: true }, phase: 'RollbackUnlabeling', actions: ['unlabel'] },
  { when: 'halted in drain, rollback granted', s: { phase: 'Halted', failedPhase: 'Draining', request: 'rollback' }, phase: 'RollbackUncordoning', actions: [] },
  { when: 'rolled back, retry granted', s: { phase: 'RolledBack', haltReason: 'x', request: 'retry' }, phase: 'Cordoning', actions: ['cordon'] },
  { when: 'rolled back, rollback requested again', s: { phase: 'RolledBack', request: 'rollback' }, phase: 'RolledBack', actions: [] },
];

describe('transition', () => {
  it.each(rows)('when $when, then $phase', (r) => {
    const d = transition(state(r.s), obs(r.o), later(r.at ?? 1000), { ...settings, autoRollback: r.auto ?? false });
    expect(d.phase).toBe(r.phase);
    expect(d.actions.map((a) => a.kind)).toEqual(r.actions);
    if (r.patch) expect(d.patch).toMatchObject(r.patch);
    if (d.phase !== (r.s.phase ?? 'Pending')) {
      expect(d.patch[NodeAnnotation.phase]).toBe(r.phase);
      expect(d.transition?.to).toBe(r.phase);
    } else {
      expect(d.patch).toEqual({});
      expect(d.transition).toBeUndefined();
    }
  });

  it('when a node halts, then the reason and the failed step are recorded with the phase', () => {
    const d = transition(state({ phase: 'Rebooting', bootIdBefore: BOOT_A }), obs(), later(300_000), settings);
    expect(d.patch).toMatchObject({
      [NodeAnnotation.phase]: 'Halted',
      [NodeAnnotation.failedPhase]: 'Rebooting',
      [NodeAnnotation.haltReason]: 'reboot order never delivered within 300s: agent not heard from since the order was issued',
      [NodeAnnotation.phaseSince]: later(300_000).toISOString(),
    });
    expect(d.transition?.warning).toBe(true);
  });

  it('when the drain action is asked for, then it carries the phase deadline', () => {
    const d = transition(state({ phase: 'Draining' }), obs({ unschedulable: true }), T0, settings);
    expect(d.actions).toEqual([{ kind: 'drain', deadline: later(60_000) }]);
  });

  it('when the same inputs are evaluated twice, then the same decision comes out (no hidden state)', () => {
    const s = state({ phase: 'Labeling' });
    expect(transition(s, obs({ labeled: true }), later(5), settings)).toEqual(
      transition(s, obs({ labeled: true }), later(5), settings),
    );
  });
});

describe('retry and rollback targets', () => {
  it.each([
    [undefined, 'Cordoning'],
    ['Draining', 'Cordoning'],
    ['Cordoning', 'Cordoning'],
    ['Rebooting', 'Rebooting'],
    ['Validating', 'Validating'],
    ['RollbackValidating', 'RollbackValidating'],
  ] as const)('when a node failed in %s, then retry resumes at %s', (failed, to) => {
    expect(retryPhaseFor(failed)).toBe(to);
  });

  it.each([
    ['Cordoning', 'RollbackUncordoning'],
    ['Draining', 'RollbackUncordoning'],
    ['Labeling', 'RollbackUnlabeling'],
    ['Validating', 'RollbackUnlabeling'],
  ] as const)('when a node failed in %s, then rollback starts at %s', (failed, to) => {
    expect(rollbackPhaseFor(failed)).toBe(to);
  });

  it.each([
    [{ phase: 'Pending' }, true],
    [{ phase: 'Draining' }, true],
    [{ phase: 'Halted' }, false],
    [{ phase: 'Halted', request: 'retry' }, true],
    [{ phase: 'RolledBack', request: 'retry' }, true],
    [{ phase: 'Done' }, false],
  ] as const)('when a node is %j, then it wants a grant: %s', (s, wants) => {
    expect(wantsGrant(state(s))).toBe(wants);
  });
});
