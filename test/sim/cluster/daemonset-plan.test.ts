import { describe, it, expect } from '@jest/globals';
import type { V1Pod } from '@kubernetes/client-node';
import { planDaemonSet, REVISION_HASH_LABEL, templateHash } from '../../../sim/cluster/daemonset-plan.js';
import { buildDaemonPod } from '../../../sim/cluster/pod-builders.js';
import { daemonSet, node, pod, type PodOpts } from './fixtures.js';

const ds = daemonSet('cilium');
const current = templateHash(ds);
const nodes = [node('a'), node('b'), node('c')];
const dpod = (name: string, opts: PodOpts & { hash?: string }): V1Pod =>
  pod(name, { ...opts, labels: { [REVISION_HASH_LABEL]: opts.hash ?? current } });

describe('DaemonSet plan: one pod per eligible node', () => {
  it('when no pods exist, then one is created per node and status counts them unavailable', () => {
    const plan = planDaemonSet(ds, nodes, []);
    expect(plan.createOn).toEqual(['a', 'b', 'c']);
    expect(plan.deletePods).toEqual([]);
    expect(plan.status).toEqual({ currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 3, numberReady: 0, observedGeneration: 1, numberUnavailable: 3 });
  });

  it('when every node runs a ready current pod, then nothing changes and zero counts are omitted', () => {
    const plan = planDaemonSet(ds, nodes, [dpod('p1', { node: 'a' }), dpod('p2', { node: 'b' }), dpod('p3', { node: 'c' })]);
    expect(plan.createOn).toEqual([]);
    expect(plan.deletePods).toEqual([]);
    expect(plan.status).toEqual({ currentNumberScheduled: 3, numberMisscheduled: 0, desiredNumberScheduled: 3, numberReady: 3, observedGeneration: 1, updatedNumberScheduled: 3, numberAvailable: 3 });
  });

  it.each<[string, V1Pod[], string[], string[]]>([
    ['when a pod was deleted for good, then it is re-created on its node', [dpod('p1', { node: 'a' }), dpod('p2', { node: 'b' })], ['c'], []],
    ['when a pod is still terminating, then the replacement waits', [dpod('p1', { node: 'a' }), dpod('p2', { node: 'b' }), dpod('p3', { node: 'c', terminating: true })], [], []],
    ['when a node runs two pods, then the extra goes', [dpod('p1', { node: 'a' }), dpod('p2', { node: 'b' }), dpod('p3', { node: 'c' }), dpod('p4', { node: 'c' })], [], ['p4']],
    ['when a pod runs on a node that is gone, then it goes', [dpod('p1', { node: 'a' }), dpod('p2', { node: 'b' }), dpod('p3', { node: 'c' }), dpod('p9', { node: 'gone' })], [], ['p9']],
    ['when a pod finished, then it does not count and the node gets a new one', [dpod('p1', { node: 'a' }), dpod('p2', { node: 'b' }), dpod('p3', { node: 'c', phase: 'Failed' })], ['c'], []],
  ])('%s', (_name, pods, create, del) => {
    const plan = planDaemonSet(ds, nodes, pods);
    expect(plan.createOn).toEqual(create);
    expect(plan.deletePods).toEqual(del);
  });

  it('when the nodeSelector excludes a node, then desired counts only matching nodes and its pod is misscheduled', () => {
    const selective = daemonSet('sel', { nodeSelector: { role: 'x' } });
    const plan = planDaemonSet(selective, [node('a', { labels: { role: 'x' } }), node('b')], [dpod('p2', { node: 'b', hash: templateHash(selective) })]);
    expect(plan.createOn).toEqual(['a']);
    expect(plan.deletePods).toEqual(['p2']);
    expect(plan.status.desiredNumberScheduled).toBe(1);
    expect(plan.status.numberMisscheduled).toBe(1);
  });

  it('when a node is cordoned, then daemon pods still belong there', () => {
    const plan = planDaemonSet(ds, [node('a', { unschedulable: true })], []);
    expect(plan.createOn).toEqual(['a']);
  });
});

describe('DaemonSet plan: rollout restart', () => {
  const restarted = daemonSet('cilium', { restartedAt: '2026-11-26T16:03:19Z', generation: 2 });
  const old = [dpod('p1', { node: 'a' }), dpod('p2', { node: 'b' }), dpod('p3', { node: 'c' })];

  it('when the template changed and all old pods are ready, then one pod is replaced (maxUnavailable 1)', () => {
    const plan = planDaemonSet(restarted, nodes, old);
    expect(plan.deletePods).toEqual(['p1']);
    expect(plan.status.observedGeneration).toBe(2);
    expect(plan.status.updatedNumberScheduled).toBeUndefined();
  });

  it('when one node is already being replaced, then no other pod goes', () => {
    const plan = planDaemonSet(restarted, nodes, [dpod('p1', { node: 'a', terminating: true }), old[1]!, old[2]!]);
    expect(plan.deletePods).toEqual([]);
  });

  it('when the new pod on a is not ready yet, then the rollout waits', () => {
    const fresh = dpod('n1', { node: 'a', hash: templateHash(restarted), ready: false });
    expect(planDaemonSet(restarted, nodes, [fresh, old[1]!, old[2]!]).deletePods).toEqual([]);
  });

  it('when the new pod on a is ready, then the next node is replaced', () => {
    const fresh = dpod('n1', { node: 'a', hash: templateHash(restarted) });
    const plan = planDaemonSet(restarted, nodes, [fresh, old[1]!, old[2]!]);
    expect(plan.deletePods).toEqual(['p2']);
    expect(plan.status.updatedNumberScheduled).toBe(1);
  });

  it('when maxUnavailable is 2, then two pods are replaced at once', () => {
    const wide = daemonSet('cilium', { restartedAt: 'x', maxUnavailable: 2 });
    expect(planDaemonSet(wide, nodes, old).deletePods).toEqual(['p1', 'p2']);
  });

  it('when a pod runs on a node that should not run one, then it goes and does not use the update budget', () => {
    const plan = planDaemonSet(restarted, nodes, [...old, dpod('p9', { node: 'gone', ready: false })]);
    expect(plan.deletePods).toEqual(['p9', 'p1']);
  });

  it('when an old pod is not ready, then it is replaced without using the budget', () => {
    const pods = [dpod('p1', { node: 'a' }), dpod('p2', { node: 'b', ready: false }), dpod('p3', { node: 'c' })];
    expect(planDaemonSet(restarted, nodes, pods).deletePods).toEqual(['p2']);
  });
});

describe('DaemonSet pod builder', () => {
  it('when a daemon pod is built, then it is owned, pinned and tolerates cordons', () => {
    const p = buildDaemonPod({ ...ds, metadata: { ...ds.metadata, uid: 'u1' } }, { node: 'b', suffix: 'x7k2q', hash: 'h' });
    expect(p.metadata?.name).toBe('cilium-x7k2q');
    expect(p.metadata?.ownerReferences).toEqual([{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'cilium', uid: 'u1', controller: true, blockOwnerDeletion: true }]);
    expect(p.metadata?.labels).toMatchObject({ app: 'cilium', [REVISION_HASH_LABEL]: 'h', 'pod-template-generation': '1' });
    expect(p.spec?.nodeName).toBe('b');
    expect(p.spec?.tolerations).toContainEqual({ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' });
  });
});
