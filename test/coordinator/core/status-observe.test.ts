import { describe, expect, it } from '@jest/globals';
import type { V1DaemonSetStatus, V1Node, V1Pod } from '@kubernetes/client-node';
import { ciliumRestarts, ciliumRolloutProblem } from '../../../coordinator/core/cilium-readiness.js';
import { parseMigrationSpec } from '../../../coordinator/core/migration-spec.js';
import { ciliumPodOn, observe } from '../../../coordinator/core/observe.js';
import { rolloutHaltReason, summarizeStatus } from '../../../coordinator/core/status.js';
import { BOOT_A, BOOT_B, later, state, T0 } from './fixtures.js';
import { nodeInfo } from '../../support/node-info.js';

describe('rollout status', () => {
  const base = { paused: false, specError: undefined, previousConditions: [], now: later(90_000) };

  it.each([
    ['nothing started', [state(), state({ name: 'w2' })], {}, 'Pending'],
    ['a node in flight', [state({ phase: 'Draining' }), state({ name: 'w2' })], {}, 'Running'],
    ['paused', [state({ phase: 'Done' }), state({ name: 'w2' })], { paused: true }, 'Paused'],
    ['a node halted', [state({ phase: 'Halted', haltReason: 'x' }), state({ name: 'w2' })], {}, 'Halted'],
    ['a node rolled back automatically', [state({ phase: 'RolledBack', haltReason: 'x' })], {}, 'Halted'],
    ['a bad spec', [state()], { specError: 'spec.concurrency: too big' }, 'Halted'],
    ['every node finished', [state({ phase: 'Done' }), state({ name: 'w2', phase: 'RolledBack' })], {}, 'Completed'],
  ] as const)('when %s, then the rollout is %s', (_w, nodes, over, phase) => {
    expect(summarizeStatus({ ...base, ...over, nodes }).phase).toBe(phase);
  });

  it('when nodes are in several phases, then counts, the nodes in flight with their durations and the halt reason are reported', () => {
    const s = summarizeStatus({
      ...base,
      nodes: [
        state({ phase: 'Done', finishedAt: later(30_000) }),
        state({ name: 'w2', phase: 'Rebooting' }),
        state({ name: 'w3', phase: 'Halted', haltReason: 'drain deadline passed' }),
        state({ name: 'w4', startedAt: undefined }),
      ],
    });
    expect(s).toMatchObject({ migrated: 1, total: 4, inFlight: 1, haltReason: 'w3: drain deadline passed', haltedNode: 'w3' });
    // Only the nodes in flight (the halted one among them) get a row: the rest is on each Node.
    expect(s.nodes.map((n) => n.name)).toEqual(['w2', 'w3']);
    expect(s.nodes[0]).toMatchObject({ name: 'w2', phase: 'Rebooting', durationSeconds: 90, since: T0.toISOString() });
    expect(s.nodes[1]).toMatchObject({ name: 'w3', reason: 'drain deadline passed' });
    expect(s.conditions.find((c) => c.type === 'Halted')).toMatchObject({ status: 'True', message: 'w3: drain deadline passed' });
  });

  it('when a condition keeps its status, then its transition time is kept', () => {
    const first = summarizeStatus({ ...base, nodes: [state()], now: T0 });
    const second = summarizeStatus({ ...base, nodes: [state()], previousConditions: first.conditions });
    expect(second.conditions[0]?.lastTransitionTime).toBe(T0.toISOString());
  });

  it('when no node halted, then there is no halt reason', () => {
    expect(rolloutHaltReason([state({ phase: 'Done' }), state({ phase: 'RolledBack' })])).toBeUndefined();
  });
});

describe('the Migration spec', () => {
  it('when the spec is empty, then the defaults apply', () => {
    expect(parseMigrationSpec({})).toEqual({
      ok: true,
      spec: {
        paused: false,
        concurrency: 1,
        nodeSelector: '',
        includeControlPlane: true,
        autoRollback: false,
        probe: { minSamples: 20 },
        drain: { deleteEmptyDirData: false, force: false },
        validation: {},
        stages: { promote: false, patchCiliumConfig: false, removeCalico: false, cleanNodes: false, rebootNodes: false, removeCrds: false },
      },
    });
  });

  it('when fields are invalid, then every bad field is named', () => {
    const r = parseMigrationSpec({ concurrency: 0, drain: { force: 'yes' } });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(/spec\.concurrency.*spec\.drain\.force/);
  });

  it('when the canary and the zone cap are given, then they are read; zero or a fraction is refused', () => {
    const r = parseMigrationSpec({ pauseAfter: 2, maxUnavailablePerZone: 1 });
    expect(r.ok && r.spec).toMatchObject({ pauseAfter: 2, maxUnavailablePerZone: 1 });
    const bad = parseMigrationSpec({ pauseAfter: 0, maxUnavailablePerZone: 1.5 });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error).toMatch(/spec\.pauseAfter.*spec\.maxUnavailablePerZone/);
  });
});


describe('observations', () => {
  const node = (o: { bootID?: string; ready?: string; unschedulable?: boolean; label?: string }): V1Node => ({
    metadata: { name: 'w1', labels: o.label ? { 'io.cilium.migration/cilium-default': o.label } : {} },
    spec: o.unschedulable ? { unschedulable: true } : {},
    status: {
      conditions: [{ type: 'Ready', status: o.ready ?? 'True' }],
      ...(o.bootID ? { nodeInfo: nodeInfo(o.bootID) } : {}),
    },
  });
  const cilium = (uid: string, nodeName: string, ready: boolean, deleting = false): V1Pod => ({
    metadata: { uid, name: uid, ...(deleting ? { deletionTimestamp: new Date() } : {}) },
    spec: { nodeName, containers: [] },
    status: { conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
  });
  const src = { ciliumPods: [], granted: true, drain: undefined, agent: undefined, peerCandidates: [] };

  it.each([
    ['the Node reports a boot id', { node: node({ bootID: BOOT_A }), agent: { bootId: BOOT_B } }, { bootId: BOOT_A }],
    ['only the agent reports one', { node: node({}), agent: { bootId: BOOT_B } }, { bootId: BOOT_B }],
    ['the node is cordoned and labeled', { node: node({ unschedulable: true, label: 'true' }) }, { unschedulable: true, labeled: true }],
    ['the node is NotReady', { node: node({ ready: 'Unknown' }) }, { nodeReady: false }],
    ['the node is gone', { node: undefined }, { nodeReady: false, unschedulable: false, bootId: undefined }],
  ])('when %s, then the observation says so', (_w, over, expected) => {
    expect(observe('w1', { ...src, ...over })).toMatchObject(expected);
  });

  it('when the old Cilium pod is terminating beside its replacement, then the replacement is the node\'s pod', () => {
    const pods = [cilium('old', 'w1', true, true), cilium('new', 'w1', false), cilium('other', 'w2', true)];
    expect(ciliumPodOn('w1', pods)).toEqual({ uid: 'new', ready: false });
    expect(ciliumPodOn('w1', [cilium('old', 'w1', true, true)])).toEqual({ uid: 'old', ready: false });
    expect(ciliumPodOn('w3', pods)).toBeUndefined();
  });
});

describe('Cilium rollout gate', () => {
  const ds = (status: Partial<V1DaemonSetStatus> | undefined, generation = 2) => ({
    metadata: { name: 'cilium', namespace: 'kube-system', generation },
    ...(status
      ? { status: { currentNumberScheduled: 3, desiredNumberScheduled: 3, numberMisscheduled: 0, numberReady: 3, observedGeneration: 2, updatedNumberScheduled: 3, ...status } }
      : {}),
  });

  it.each([
    ['absent', undefined, 'not found'],
    ['without status', ds(undefined), 'no status'],
    ['not yet observed', ds({ observedGeneration: 1 }), 'not yet observed'],
    ['mid-rollout', ds({ updatedNumberScheduled: 1 }), '1 of 3 pods updated'],
    ['a pod not Ready', ds({ numberReady: 2 }), '2 of 3 pods Ready'],
  ])('when the DaemonSet is %s, then no new node starts: %s', (_w, d, why) => {
    expect(ciliumRolloutProblem(d)).toContain(why);
  });

  it('when every pod is updated and Ready, then a new node may start', () => {
    expect(ciliumRolloutProblem(ds({}))).toBeUndefined();
  });

  describe('with the nodes in flight whose Cilium pod the rollout restarts', () => {
    const inFlight = [
      state({ name: 'w1', phase: 'RestartingCilium' }),
      state({ name: 'w2', phase: 'Rebooting' }),
      state({ name: 'w3', phase: 'RollbackWaitingReady' }),
      state({ name: 'w4', phase: 'Validating' }),
      state({ name: 'w5', phase: 'Draining' }),
    ];
    const pods: Record<string, { uid: string; ready: boolean } | undefined> = {
      w1: undefined,
      w2: { uid: 'p2', ready: false },
      w3: { uid: 'p3', ready: true },
      w4: { uid: 'p4', ready: false },
      w5: undefined,
    };
    const restarts = ciliumRestarts(inFlight, (n) => pods[n]);

    it('when a restarting node has no pod or one not Ready, then that is counted; other phases are not', () => {
      expect(restarts).toEqual({ missing: 1, notReady: 1 });
    });

    it('when only their pods are missing or not Ready, then a new node may start', () => {
      expect(ciliumRolloutProblem(ds({ desiredNumberScheduled: 5, updatedNumberScheduled: 4, numberReady: 3 }), restarts)).toBeUndefined();
    });

    it('when a pod of another node is not updated or not Ready as well, then no new node starts', () => {
      expect(ciliumRolloutProblem(ds({ desiredNumberScheduled: 5, updatedNumberScheduled: 3, numberReady: 3 }), restarts)).toBe(
        'DaemonSet kube-system/cilium: 3 of 5 pods updated, 1 more on nodes restarting Cilium',
      );
      expect(ciliumRolloutProblem(ds({ desiredNumberScheduled: 5, updatedNumberScheduled: 4, numberReady: 2 }), restarts)).toBe(
        'DaemonSet kube-system/cilium: 2 of 5 pods Ready, 2 more on nodes restarting Cilium',
      );
    });
  });

  it('when Cilium is not rolled out, then the status carries a CiliumReady=False condition', () => {
    const s = summarizeStatus({ nodes: [state()], paused: false, specError: undefined, previousConditions: [], ciliumProblem: 'x', now: T0 });
    expect(s.conditions.find((c) => c.type === 'CiliumReady')).toMatchObject({ status: 'False', message: 'x' });
  });
});
