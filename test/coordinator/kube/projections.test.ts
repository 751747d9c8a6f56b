import { describe, expect, it } from '@jest/globals';
import type { V1Pod } from '@kubernetes/client-node';
import type { V1PodDisruptionBudget } from '@kubernetes/client-node';
import { choosePeers } from '../../../coordinator/core/peers.js';
import { drainChecks } from '../../../coordinator/core/preflight/drain-checks.js';
import { listProjected, projectPod, projectRunningPod, type ListPage } from '../../../coordinator/kube/projections.js';

const pod = (name: string): V1Pod => ({
  metadata: { name, namespace: 'kube-system', uid: `uid-${name}`, resourceVersion: '7', labels: { 'k8s-app': 'cilium' }, managedFields: [{ manager: 'kubelet' }] },
  spec: { nodeName: `node-${name}`, containers: [{ name: 'cilium-agent', image: 'quay.io/cilium/cilium:v1.15.6' }] },
  status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', reason: 'r', message: 'm' }], containerStatuses: [] },
});

describe('listProjected', () => {
  it('when the list comes in pages, then every page is asked for with the continue token of the last and the items are kept projected', async () => {
    const all = ['a', 'b', 'c', 'd', 'e'].map(pod);
    const asked: ListPage[] = [];
    const list = async (page: ListPage) => {
      asked.push(page);
      const start = Number(page._continue ?? 0);
      const end = start + page.limit;
      return { metadata: { resourceVersion: '42', ...(end < all.length ? { _continue: String(end) } : {}) }, items: all.slice(start, end) };
    };
    const listed = await listProjected(list, projectPod, 2);
    expect(asked).toEqual([{ limit: 2 }, { limit: 2, _continue: '2' }, { limit: 2, _continue: '4' }]);
    expect(listed.metadata.resourceVersion).toBe('42');
    expect(listed.items.map((p) => p.metadata?.name)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(listed.items[0]).toEqual({
      metadata: { name: 'a', namespace: 'kube-system', uid: 'uid-a', resourceVersion: '7', deletionTimestamp: undefined },
      spec: { nodeName: 'node-a' },
      status: { conditions: [{ type: 'Ready', status: 'True' }] },
    });
  });
});

describe('projectRunningPod', () => {
  const owned = (kind: string) => [{ apiVersion: 'apps/v1', kind, name: 'owner', uid: 'u-owner', controller: true }];
  const running = (name: string, node: string, over: { labels?: Record<string, string>; owner?: string; volumes?: NonNullable<V1Pod['spec']>['volumes']; hostNetwork?: boolean; annotations?: Record<string, string>; deleting?: boolean } = {}): V1Pod => ({
    metadata: {
      name,
      namespace: 'shop',
      uid: `uid-${name}`,
      labels: { app: name.split('-')[0] ?? name, ...over.labels },
      annotations: { 'deployment.kubernetes.io/revision': '3', ...over.annotations },
      ...(over.owner ? { ownerReferences: [...owned(over.owner), { apiVersion: 'v1', kind: 'ConfigMap', name: 'cm', uid: 'u-cm' }] } : {}),
      ...(over.deleting ? { deletionTimestamp: new Date('2026-01-01T00:00:00Z') } : {}),
      managedFields: [{ manager: 'kubelet' }],
    },
    spec: {
      nodeName: node,
      hostNetwork: over.hostNetwork,
      containers: [{ name: 'c', image: 'nginx:1.27' }],
      volumes: [{ name: 'token', projected: { sources: [] } }, ...(over.volumes ?? [])],
    },
    status: { phase: 'Running', podIP: `10.0.${node.slice(1)}.${[...name].reduce((a, c) => a + c.charCodeAt(0), 0) % 250}`, conditions: [{ type: 'Ready', status: 'True' }], containerStatuses: [] },
  });
  const pods: V1Pod[] = [
    running('web-1', 'n1', { owner: 'ReplicaSet' }),
    running('web-2', 'n2', { owner: 'ReplicaSet' }),
    running('bare-1', 'n1'),
    running('cache-1', 'n2', { owner: 'ReplicaSet', volumes: [{ name: 'scratch', emptyDir: { sizeLimit: '1Gi' } }] }),
    running('agent-1', 'n2', { owner: 'DaemonSet', hostNetwork: true }),
    running('static-1', 'n2', { annotations: { 'kubernetes.io/config.mirror': 'abc' } }),
    running('gone-1', 'n1', { owner: 'ReplicaSet', deleting: true }),
    running('dns-1', 'n3', { owner: 'ReplicaSet', labels: { 'k8s-app': 'kube-dns' } }),
  ];
  const pdbs: V1PodDisruptionBudget[] = [
    { metadata: { name: 'web', namespace: 'shop' }, spec: { selector: { matchLabels: { app: 'web' } }, minAvailable: 2 } },
    { metadata: { name: 'cache', namespace: 'shop' }, spec: { selector: { matchLabels: { app: 'cache' } }, maxUnavailable: 0 } },
  ];

  it.each([
    ['without force', { force: false, deleteEmptyDirData: false }],
    ['with force and emptyDir deletion', { force: true, deleteEmptyDirData: true }],
  ])('when pre-flight checks the drains %s, then the projected pods give the same findings as the whole ones', (_what, drain) => {
    const projected = pods.map(projectRunningPod);
    const scope = new Set(['n1', 'n2']);
    const inScope = (ps: V1Pod[]) => ps.filter((p) => scope.has(p.spec?.nodeName ?? ''));
    const whole = drainChecks({ pods: inScope(pods), pdbs, drain }, pods);
    expect(whole.length).toBeGreaterThanOrEqual(3);
    expect(drainChecks({ pods: inScope(projected), pdbs, drain }, projected)).toEqual(whole);
  });

  it('when the revalidation chooses peers, then the projected pods give the same peers as the whole ones', () => {
    const kindOf = (n: string) => (n === 'n3' ? ('calico' as const) : ('cilium' as const));
    const whole = choosePeers({ pods, kindOf, self: 'n1' });
    expect(whole.length).toBeGreaterThan(0);
    expect(choosePeers({ pods: pods.map(projectRunningPod), kindOf, self: 'n1' })).toEqual(whole);
  });

  it('when a pod is projected, then its containers, statuses and managed fields are left behind', () => {
    const p = projectRunningPod(running('cache-1', 'n2', { owner: 'ReplicaSet', volumes: [{ name: 'scratch', emptyDir: { sizeLimit: '1Gi' } }] }));
    expect(p.spec?.containers).toEqual([]);
    expect(p.spec?.volumes).toEqual([{ name: 'scratch', emptyDir: {} }]);
    expect(p.metadata?.managedFields).toBeUndefined();
    expect(p.metadata?.ownerReferences).toEqual(owned('ReplicaSet'));
    expect(p.status).toEqual({ phase: 'Running', podIP: '10.0.2.94' });
  });
});
