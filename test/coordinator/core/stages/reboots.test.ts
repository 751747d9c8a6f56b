import { describe, expect, it } from '@jest/globals';
import { decideStage, stageOrderId, type ClusterObservations } from '../../../../coordinator/core/stages/index.js';
import type { RebootObservation } from '../../../../coordinator/core/stages/reboots.js';
import type { NodeRound, StageRecord } from '../../../../coordinator/core/stages/record.js';
import { allStages, at, clusterObs, record, stageSettings, T0 } from './fixtures.js';

const withReboot = { ...allStages, rebootNodes: true };
const decide = (r: StageRecord, o: Partial<ClusterObservations> = {}, ms = 1000) =>
  decideStage({ record: r, spec: withReboot, obs: clusterObs(o), now: at(ms), settings: stageSettings });
const rebooting = (nodes: NodeRound[]): StageRecord =>
  record({ stage: 'RebootNodes', step: 'RebootingNodes', nodes, times: [{ name: 'RebootNodes', startedAt: T0.toISOString() }] });
const entry = (name: string, over: Partial<NodeRound> = {}): NodeRound => ({
  name,
  state: 'Running',
  since: T0.toISOString(),
  orderId: stageOrderId(name, { attempt: 0, step: 'RebootingNodes' }),
  phase: 'Cordoning',
  wasUnschedulable: false,
  ...over,
});
const seen = (over: Partial<RebootObservation> = {}): RebootObservation => ({ unschedulable: false, bootId: 'boot-1', ready: true, drain: undefined, ...over });
const nodesObs = (m: Record<string, Partial<RebootObservation>>): Map<string, RebootObservation> =>
  new Map(Object.entries(m).map(([n, o]) => [n, seen(o)]));

describe('RebootNodes: the optional second rolling reboot', () => {
  it('When CleanNodes is done and rebootNodes is not enabled (the default), then the run passes over it to RemoveCrds', () => {
    const done = record({ stage: 'CleanNodes', step: 'Done' });
    const d = decideStage({ record: done, spec: allStages, obs: clusterObs(), now: at(1000), settings: stageSettings });
    expect(d.record).toMatchObject({ stage: 'RemoveCrds' });
  });
  it('When CleanNodes is done and rebootNodes is enabled, then RebootNodes starts', () => {
    expect(decide(record({ stage: 'CleanNodes', step: 'Done' })).record).toMatchObject({ stage: 'RebootNodes', step: 'RebootingNodes', nodes: [] });
  });
  it('When the round starts, then k nodes are recorded cordoning, with whether each was cordoned before', () => {
    const d = decide(rebooting([]), { rebootNodes: nodesObs({ w1: {}, w2: { unschedulable: true } }) });
    expect(d.record?.nodes.map((e) => [e.name, e.phase, e.wasUnschedulable])).toEqual([['w1', 'Cordoning', false], ['w2', 'Cordoning', true]]);
    expect(d.actions).toEqual([]);
  });
  it.each([
    ['Cordoning, not cordoned', { phase: 'Cordoning' as const }, {}, 'Cordoning', ['cordonNode']],
    ['Cordoning, cordoned', { phase: 'Cordoning' as const }, { unschedulable: true }, 'Draining', []],
    ['Draining, not drained', { phase: 'Draining' as const }, { unschedulable: true }, 'Draining', ['drainNode']],
    ['Draining, drained', { phase: 'Draining' as const }, { unschedulable: true, drain: { done: true as const } }, 'Rebooting', []],
    ['Rebooting, same boot', { phase: 'Rebooting' as const, bootIdBefore: 'boot-1' }, { unschedulable: true }, 'Rebooting', []],
    ['Rebooting, new boot', { phase: 'Rebooting' as const, bootIdBefore: 'boot-1' }, { unschedulable: true, bootId: 'boot-2', ready: false }, 'WaitingReady', []],
    ['WaitingReady, not Ready', { phase: 'WaitingReady' as const }, { unschedulable: true, ready: false }, 'WaitingReady', []],
    ['WaitingReady, Ready', { phase: 'WaitingReady' as const }, { unschedulable: true }, 'Uncordoning', []],
    ['Uncordoning, cordoned', { phase: 'Uncordoning' as const }, { unschedulable: true }, 'Uncordoning', ['uncordonNode']],
  ])('When a node is %s, then it moves to the right step with the right action', (...[, e, o, phase, actions]) => {
    const d = decide(rebooting([entry('w1', e)]), { nodes: ['w1'], rebootNodes: nodesObs({ w1: o }) });
    expect(d.record?.nodes[0]?.phase).toBe(phase);
    expect(d.actions.map((a) => a.kind)).toEqual(actions);
  });
  it('When a node is drained, then its boot id is recorded before anything reboots it', () => {
    const d = decide(rebooting([entry('w1', { phase: 'Draining' })]), { nodes: ['w1'], rebootNodes: nodesObs({ w1: { unschedulable: true, drain: { done: true } } }) });
    expect(d.changed).toBe(true);
    expect(d.record?.nodes[0]).toMatchObject({ phase: 'Rebooting', bootIdBefore: 'boot-1' });
  });
  it('When a node is back and uncordoned, then it is Done with its new boot id, and the next node starts', () => {
    const d = decide(rebooting([entry('w1', { phase: 'Uncordoning', bootIdBefore: 'boot-1', bootIdAfter: 'boot-2' })]), {
      nodes: ['w1', 'w2'],
      rebootNodes: nodesObs({ w1: { bootId: 'boot-2' } }),
    }, 1000);
    expect(d.record?.nodes.map((e) => [e.name, e.state, e.phase])).toEqual([['w1', 'Done', 'Uncordoning'], ['w2', 'Running', 'Cordoning']]);
    expect(d.record?.nodes[0]?.message).toBe('rebooted: boot id boot-2');
  });
  it('When a node was cordoned before the stage, then it stays cordoned', () => {
    const d = decide(rebooting([entry('w1', { phase: 'Uncordoning', wasUnschedulable: true })]), { nodes: ['w1'], rebootNodes: nodesObs({ w1: { unschedulable: true } }) });
    expect(d.record).toMatchObject({ stage: 'RebootNodes', step: 'Done' });
  });
  it('When every node is rebooted, then the stage is Done and RemoveCrds follows', () => {
    const r = rebooting([entry('w1', { state: 'Done' })]);
    const d = decide(r, { nodes: ['w1'] });
    expect(d.record).toMatchObject({ step: 'Done' });
    expect(decide(d.record as StageRecord, { nodes: ['w1'] }, 2000).record).toMatchObject({ stage: 'RemoveCrds' });
  });
  it('When a drain is blocked, then the stage halts naming the node and the reason', () => {
    const o = { unschedulable: true, drain: { done: false as const, reason: 'drain deadline passed: eviction of pod a/b blocked' } };
    const d = decide(rebooting([entry('w1', { phase: 'Draining' })]), { nodes: ['w1'], rebootNodes: nodesObs({ w1: o }) });
    expect(d.record?.haltReason).toBe('RebootNodes halted in RebootingNodes: w1: drain deadline passed: eviction of pod a/b blocked');
  });
  it('When the boot id does not change by the reboot deadline, then the stage halts', () => {
    const e = entry('w1', { phase: 'Rebooting', bootIdBefore: 'boot-1' });
    expect(decide(rebooting([e]), { nodes: ['w1'], rebootNodes: nodesObs({ w1: {} }) }, 299_000).record?.haltReason).toBeUndefined();
    expect(decide(rebooting([e]), { nodes: ['w1'], rebootNodes: nodesObs({ w1: {} }) }, 300_000).record?.haltReason).toContain(
      'w1: Rebooting: node did not reboot (boot id unchanged) within 300s',
    );
  });
  it('When the agent refuses or fails the reboot order, then the stage halts with its message', () => {
    const e = entry('w1', { phase: 'Rebooting', bootIdBefore: 'boot-1' });
    const results = new Map([['w1', { orderId: e.orderId, outcome: 'failed' as const, message: 'systemctl reboot: exit 1' }]]);
    expect(decide(rebooting([e]), { nodes: ['w1'], results, rebootNodes: nodesObs({ w1: {} }) }).record?.haltReason).toContain('reboot failed: systemctl reboot: exit 1');
  });
  it('When the operator retries a halted reboot round, then the failed node resumes at its step with a new order id, still known as not cordoned before', () => {
    const failed = entry('w2', { phase: 'Rebooting', bootIdBefore: 'boot-1', state: 'Failed', message: 'no reboot' });
    const halted = { ...rebooting([entry('w1', { state: 'Done' }), failed]), haltReason: 'RebootNodes halted in RebootingNodes: w2: no reboot' };
    const d = decide(halted, { nodes: ['w1', 'w2'], retryRequested: true }, 5000);
    expect(d.record?.attempt).toBe(1);
    expect(d.record?.nodes.map((e) => [e.name, e.state, e.phase, e.orderId, e.bootIdBefore, e.wasUnschedulable])).toEqual([
      ['w1', 'Done', 'Cordoning', 'w1.s0.RebootingNodes', undefined, false],
      ['w2', 'Running', 'Rebooting', 'w2.s1.RebootingNodes', 'boot-1', false],
    ]);
    // The node rebooted after the deadline: it moves on, no second reboot.
    const next = decide(d.record as StageRecord, { nodes: ['w1', 'w2'], rebootNodes: nodesObs({ w2: { unschedulable: true, bootId: 'boot-2' } }) }, 6000);
    expect(next.record?.nodes[1]).toMatchObject({ phase: 'WaitingReady', bootIdAfter: 'boot-2' });
  });
});
