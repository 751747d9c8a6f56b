import { describe, it, expect } from '@jest/globals';
import type { V1Deployment, V1Pod, V1ReplicaSet } from '@kubernetes/client-node';
import { planReplicaSet } from '../../../sim/cluster/replicaset-plan.js';
import { buildReplicaSet, deploymentTemplateHash, planDeployment, POD_TEMPLATE_HASH_LABEL } from '../../../sim/cluster/deployment-plan.js';
import { pod } from './fixtures.js';

const rs = (replicas: number, extra: Partial<V1ReplicaSet> = {}): V1ReplicaSet => ({
  metadata: { name: 'web-abc', namespace: 'demo', uid: 'rs1', generation: 1, labels: {} },
  spec: { replicas, selector: {}, template: {} },
  ...extra,
});

describe('ReplicaSet plan', () => {
  it.each<[string, number, V1Pod[], number, string[]]>([
    ['when no pods exist, then all replicas are created', 3, [], 3, []],
    ['when one pod is evicted (terminating), then a replacement is created', 3, [pod('a', { node: 'w1' }), pod('b', { node: 'w2' }), pod('c', { node: 'w3', terminating: true })], 1, []],
    ['when there is one pod too many, then the unbound one goes first', 2, [pod('a', { node: 'w1' }), pod('b', { node: 'w2' }), pod('c')], 0, ['c']],
    ['when there is one pod too many, then a not-ready one goes before ready ones', 2, [pod('a', { node: 'w1' }), pod('b', { node: 'w2', ready: false }), pod('c', { node: 'w3' })], 0, ['b']],
    ['when scaled to zero, then every active pod goes', 0, [pod('a', { node: 'w1' }), pod('b', { node: 'w2' })], 0, ['b', 'a']],
    ['when a pod succeeded, then it is replaced', 1, [pod('a', { node: 'w1', phase: 'Succeeded' })], 1, []],
  ])('%s', (...row) => {
    const [, replicas, pods, create, del] = row;
    const plan = planReplicaSet(rs(replicas), pods);
    expect(plan.create).toBe(create);
    expect(plan.deletePods).toEqual(del);
  });

  it('when two of three pods are ready, then status says so and zero counts are omitted when none are', () => {
    const ready = planReplicaSet(rs(3), [pod('a', { node: 'w1' }), pod('b', { node: 'w2' }), pod('c', { node: 'w3', ready: false })]).status;
    expect(ready).toEqual({ replicas: 3, fullyLabeledReplicas: 3, readyReplicas: 2, availableReplicas: 2, observedGeneration: 1 });
    const none = planReplicaSet(rs(1), [pod('a', { ready: false })]).status;
    expect(none).toEqual({ replicas: 1, fullyLabeledReplicas: 1, observedGeneration: 1 });
  });
});

describe('Deployment plan', () => {
  const deployment = (replicas: number, image = 'web:1'): V1Deployment => ({
    metadata: { name: 'web', namespace: 'demo', uid: 'd1', generation: 1 },
    spec: { replicas, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image }] } } },
  });

  it('when no ReplicaSet exists, then one named after the template hash is created and owned', () => {
    const d = deployment(3);
    const plan = planDeployment(d, []);
    const hash = deploymentTemplateHash(d);
    expect(plan.createReplicaSet).toMatchObject({
      metadata: { name: `web-${hash}`, ownerReferences: [{ kind: 'Deployment', name: 'web', uid: 'd1', controller: true }] },
      spec: {
        selector: { matchLabels: { app: 'web', [POD_TEMPLATE_HASH_LABEL]: hash } },
        template: { metadata: { labels: { app: 'web', [POD_TEMPLATE_HASH_LABEL]: hash } } },
      },
    });
    expect(plan.status).toEqual({ observedGeneration: 1, unavailableReplicas: 3 });
  });

  it('when the Deployment is scaled, then its ReplicaSet is scaled', () => {
    const current = buildReplicaSet(deployment(3), deploymentTemplateHash(deployment(3)));
    const plan = planDeployment(deployment(5), [current]);
    expect(plan.createReplicaSet).toBeUndefined();
    expect([...plan.scale]).toEqual([[current.metadata?.name, 5]]);
  });

  it('when the template changed, then the old ReplicaSet stays until the new one is available, then goes to zero', () => {
    const old = { ...buildReplicaSet(deployment(2), deploymentTemplateHash(deployment(2))), status: { replicas: 2, availableReplicas: 2, readyReplicas: 2 } };
    const next = deployment(2, 'web:2');
    const fresh = buildReplicaSet(next, deploymentTemplateHash(next));
    expect([...planDeployment(next, [old, { ...fresh, status: { replicas: 2 } }]).scale]).toEqual([]);
    const done = planDeployment(next, [old, { ...fresh, status: { replicas: 2, availableReplicas: 2, readyReplicas: 2 } }]);
    expect([...done.scale]).toEqual([[old.metadata?.name, 0]]);
    expect(done.status).toEqual({ observedGeneration: 1, replicas: 4, updatedReplicas: 2, readyReplicas: 4, availableReplicas: 4 });
  });
});
