/**
 * @kubernetes/client-node drives the simulated API server exactly as a real cluster: cordon by merge
 * patch, evictions against a PDB, Lease contention, watch resume after 410 (Watch and an informer),
 * token issuance and TokenReview, RBAC for ServiceAccounts, pagination, label and field selectors.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import {
  ApiextensionsV1Api,
  AppsV1Api,
  AuthenticationV1Api,
  CoordinationV1Api,
  CustomObjectsApi,
  CoreV1Api,
  ListWatch,
  PatchStrategy,
  PolicyV1Api,
  RbacAuthorizationV1Api,
  Watch,
  setHeaderOptions,
  type V1Node,
  type V1Pod,
} from '@kubernetes/client-node';
import { startApiServer, type SimApiServer } from '../../../sim/apiserver/index.js';
import { statusOf } from './status-code.js';
import { waitFor } from '../../support/wait-for.js';

let server: SimApiServer;
let core: CoreV1Api;

beforeEach(async () => {
  server = await startApiServer({ watchHistory: 5 });
  core = server.kubeConfig().makeApiClient(CoreV1Api);
});

afterEach(async () => {
  await server.close();
});

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);


async function readyPod(name: string, node: string, labels: Record<string, string> = {}): Promise<V1Pod> {
  await core.createNamespacedPod({ namespace: 'default', body: { metadata: { name, labels }, spec: { nodeName: node, containers: [{ name: 'c', image: 'x' }] } } });
  const body = { status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] } };
  return core.patchNamespacedPodStatus({ name, namespace: 'default', body }, mergePatch);
}

describe('client-node against the simulated API server', () => {
  it('when a node is cordoned with a merge patch, then it reads back unschedulable', async () => {
    await core.createNode({ body: { metadata: { name: 'n1' } } });
    await core.patchNode({ name: 'n1', body: { spec: { unschedulable: true } } }, mergePatch);
    expect((await core.readNode({ name: 'n1' })).spec?.unschedulable).toBe(true);
  });

  it('when a PDB allows no more disruptions, then eviction is 429 until a replacement pod is Ready', async () => {
    const policy = server.kubeConfig().makeApiClient(PolicyV1Api);
    for (const n of ['a', 'b', 'c']) await readyPod(`web-${n}`, 'n1', { app: 'web' });
    await policy.createNamespacedPodDisruptionBudget({ namespace: 'default', body: { metadata: { name: 'web' }, spec: { minAvailable: 2, selector: { matchLabels: { app: 'web' } } } } });
    const evict = (name: string): Promise<unknown> => core.createNamespacedPodEviction({ name, namespace: 'default', body: { metadata: { name, namespace: 'default' } } });

    const dryRun = core.createNamespacedPodEviction({ name: 'web-a', namespace: 'default', dryRun: 'All', body: { metadata: { name: 'web-a' } } });
    expect(await statusOf(dryRun)).toBe(200);
    expect((await core.readNamespacedPod({ name: 'web-a', namespace: 'default' })).metadata?.deletionTimestamp).toBeUndefined();
    expect(await statusOf(evict('web-a'))).toBe(200);
    expect((await core.readNamespacedPod({ name: 'web-a', namespace: 'default' })).metadata?.deletionTimestamp).toBeDefined();
    expect(await statusOf(evict('web-b'))).toBe(429);

    await core.deleteNamespacedPod({ name: 'web-a', namespace: 'default', gracePeriodSeconds: 0 });
    await readyPod('web-d', 'n2', { app: 'web' });
    expect(await statusOf(evict('web-b'))).toBe(200);
  });

  it('when the blocked pod becomes not-ready under AlwaysAllow, then its eviction succeeds', async () => {
    const policy = server.kubeConfig().makeApiClient(PolicyV1Api);
    for (const n of ['a', 'b']) await readyPod(`db-${n}`, 'n1', { app: 'db' });
    const spec = { minAvailable: 2, selector: { matchLabels: { app: 'db' } }, unhealthyPodEvictionPolicy: 'AlwaysAllow' };
    await policy.createNamespacedPodDisruptionBudget({ namespace: 'default', body: { metadata: { name: 'db' }, spec } });
    const evict = (): Promise<unknown> => core.createNamespacedPodEviction({ name: 'db-a', namespace: 'default', body: { metadata: { name: 'db-a' } } });
    expect(await statusOf(evict())).toBe(429);
    await core.patchNamespacedPodStatus({ name: 'db-a', namespace: 'default', body: { status: { conditions: [{ type: 'Ready', status: 'False' }] } } }, mergePatch);
    expect(await statusOf(evict())).toBe(200);
  });

  it('when two clients renew one Lease from the same version, then exactly one gets 409', async () => {
    const a = server.kubeConfig().makeApiClient(CoordinationV1Api);
    const b = server.kubeConfig().makeApiClient(CoordinationV1Api);
    await a.createNamespacedLease({ namespace: 'kube-system', body: { metadata: { name: 'cni-migrate' }, spec: { holderIdentity: 'none' } } });
    const seenA = await a.readNamespacedLease({ name: 'cni-migrate', namespace: 'kube-system' });
    const seenB = await b.readNamespacedLease({ name: 'cni-migrate', namespace: 'kube-system' });
    const results = await Promise.all([
      statusOf(a.replaceNamespacedLease({ name: 'cni-migrate', namespace: 'kube-system', body: { ...seenA, spec: { holderIdentity: 'a' } } })),
      statusOf(b.replaceNamespacedLease({ name: 'cni-migrate', namespace: 'kube-system', body: { ...seenB, spec: { holderIdentity: 'b' } } })),
    ]);
    expect(results.sort()).toEqual([200, 409]);
  });

  it('when a Watch resumes from a resourceVersion older than the window, then it gets one ERROR 410 and ends', async () => {
    await core.createNode({ body: { metadata: { name: 'n0' } } });
    const old = (await core.listNode()).metadata?.resourceVersion ?? '';
    for (let i = 0; i < 8; i++) await core.patchNode({ name: 'n0', body: { metadata: { labels: { step: String(i) } } } }, mergePatch);
    const events: { type: string; code: unknown }[] = [];
    await new Promise<void>((resolve, reject) => {
      void new Watch(server.kubeConfig())
        .watch('/api/v1/nodes', { resourceVersion: old }, (type: string, obj: { code?: number }) => events.push({ type, code: obj.code }), () => resolve())
        .catch(reject);
    });
    expect(events).toEqual([{ type: 'ERROR', code: 410 }]);
  });

  it('when an informer comes back after its history expired, then it relists and sees what changed meanwhile', async () => {
    const informer = new ListWatch<V1Node>('/api/v1/nodes', new Watch(server.kubeConfig()), () => core.listNode(), false);
    const errors: unknown[] = [];
    let stopped = false;
    informer.on('error', (e) => {
      errors.push(e);
      if (!stopped) setImmediate(() => void informer.start());
    });
    await informer.start();
    await core.createNode({ body: { metadata: { name: 'first' } } });
    await waitFor('the informer to list node first', () => informer.list().some((n) => n.metadata?.name === 'first'));
    server.faults.add({ match: { verb: 'watch', resource: 'nodes' }, latencyMs: 300, times: 1 });
    server.resetRequestCounts();
    expect(server.faults.dropWatches({ resource: 'nodes' })).toBe(1);
    for (let i = 0; i < 8; i++) await core.createNode({ body: { metadata: { name: `later-${i}` } } });
    await waitFor('the informer to list 9 nodes', () => informer.list().length === 9);
    stopped = true;
    await informer.stop();
    expect(errors.length).toBeGreaterThan(0);
    expect(server.requestCounts()).toContainEqual(expect.objectContaining({ verb: 'list', resource: 'nodes' }));
  });

  it('when a token is issued for a ServiceAccount, then TokenReview authenticates it for its audience only', async () => {
    await core.createNamespacedServiceAccount({ namespace: 'default', body: { metadata: { name: 'migrator' } } });
    const tr = await core.createNamespacedServiceAccountToken({ name: 'migrator', namespace: 'default', body: { spec: { audiences: ['cni-migrate'], expirationSeconds: 600 } } });
    const auth = server.kubeConfig().makeApiClient(AuthenticationV1Api);
    const ok = await auth.createTokenReview({ body: { spec: { token: tr.status?.token ?? '', audiences: ['cni-migrate'] } } });
    expect(ok.status?.authenticated).toBe(true);
    expect(ok.status?.user?.username).toBe('system:serviceaccount:default:migrator');
    const wrong = await auth.createTokenReview({ body: { spec: { token: tr.status?.token ?? '', audiences: ['other'] } } });
    expect(wrong.status?.authenticated).toBeUndefined();
    expect(wrong.status?.error).toContain('invalid');
  });

  it('when a ServiceAccount has no role it is denied, and with a ClusterRoleBinding it may list nodes', async () => {
    await core.createNamespacedServiceAccount({ namespace: 'default', body: { metadata: { name: 'reader' } } });
    const token = server.issueServiceAccountToken({ namespace: 'default', serviceAccount: 'reader' });
    const asReader = server.kubeConfig({ token }).makeApiClient(CoreV1Api);
    expect(await statusOf(asReader.listNode())).toBe(403);
    const rbac = server.kubeConfig().makeApiClient(RbacAuthorizationV1Api);
    await rbac.createClusterRole({ body: { metadata: { name: 'node-reader' }, rules: [{ apiGroups: [''], resources: ['nodes'], verbs: ['get', 'list'] }] } });
    await rbac.createClusterRoleBinding({
      body: { metadata: { name: 'reader' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'node-reader' }, subjects: [{ kind: 'ServiceAccount', name: 'reader', namespace: 'default' }] },
    });
    expect(await statusOf(asReader.listNode())).toBe(200);
    expect(await statusOf(asReader.deleteNode({ name: 'x' }))).toBe(403);
  });

  it('when pods are listed two at a time, then the pages cover every pod once under one resourceVersion', async () => {
    for (let i = 0; i < 5; i++) await readyPod(`p-${i}`, 'n1');
    const names: string[] = [];
    const rvs = new Set<string>();
    let cont: string | undefined;
    do {
      const page = await core.listNamespacedPod({ namespace: 'default', limit: 2, ...(cont ? { _continue: cont } : {}) });
      names.push(...page.items.map((p) => p.metadata?.name ?? ''));
      rvs.add(page.metadata?.resourceVersion ?? '');
      cont = page.metadata?._continue;
    } while (cont);
    expect(names).toEqual(['p-0', 'p-1', 'p-2', 'p-3', 'p-4']);
    expect(rvs.size).toBe(1);
  });

  it('when label and field selectors are combined, then only matching pods are listed', async () => {
    await readyPod('a-1', 'n1', { app: 'a' });
    await readyPod('b-1', 'n1', { app: 'b', skip: 'yes' });
    await readyPod('b-2', 'n2', { app: 'b' });
    await core.createNamespacedPod({ namespace: 'default', body: { metadata: { name: 'c-1', labels: { app: 'c' } }, spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'x' }] } } });
    const list = await core.listPodForAllNamespaces({ labelSelector: 'app in (a,b,c),!skip', fieldSelector: 'spec.nodeName=n1,status.phase!=Pending' });
    expect(list.items.map((p) => p.metadata?.name)).toEqual(['a-1']);
    expect(await statusOf(core.listPodForAllNamespaces({ fieldSelector: 'spec.priorityClassName=x' }))).toBe(400);
  });

  it('when an owner is deleted, then its dependents are garbage collected (scheduled pods gracefully)', async () => {
    const apps = server.kubeConfig().makeApiClient(AppsV1Api);
    const template = { metadata: { labels: { app: 'check' } }, spec: { containers: [{ name: 'c', image: 'x' }] } };
    const ds = await apps.createNamespacedDaemonSet({ namespace: 'default', body: { metadata: { name: 'check' }, spec: { selector: { matchLabels: { app: 'check' } }, template } } });
    const owner = { apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'check', uid: ds.metadata?.uid ?? '', controller: true };
    await core.createNamespacedPod({ namespace: 'default', body: { metadata: { name: 'check-n1', ownerReferences: [owner] }, spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'x' }] } } });
    await core.createNamespacedPod({ namespace: 'default', body: { metadata: { name: 'check-pending', ownerReferences: [owner] }, spec: { containers: [{ name: 'c', image: 'x' }] } } });
    await apps.deleteNamespacedDaemonSet({ name: 'check', namespace: 'default' });
    await waitFor('only check-n1 left, terminating', async () => {
      const pods = await core.listNamespacedPod({ namespace: 'default' });
      return pods.items.length === 1 && pods.items[0]?.metadata?.deletionTimestamp !== undefined;
    });
    expect((await core.listNamespacedPod({ namespace: 'default' })).items.map((p) => p.metadata?.name)).toEqual(['check-n1']);
  });

  it('when an owner is deleted with propagationPolicy Orphan, then its dependents stay and lose the reference', async () => {
    const apps = server.kubeConfig().makeApiClient(AppsV1Api);
    const template = { metadata: { labels: { app: 'o' } }, spec: { containers: [{ name: 'c', image: 'x' }] } };
    const rs = await apps.createNamespacedReplicaSet({ namespace: 'default', body: { metadata: { name: 'o' }, spec: { selector: { matchLabels: { app: 'o' } }, template } } });
    const owner = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'o', uid: rs.metadata?.uid ?? '', controller: true };
    await core.createNamespacedPod({ namespace: 'default', body: { metadata: { name: 'o-1', ownerReferences: [owner] }, spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'x' }] } } });
    await apps.deleteNamespacedReplicaSet({ name: 'o', namespace: 'default', propagationPolicy: 'Orphan' });
    await new Promise((r) => setImmediate(r));
    const pod = await core.readNamespacedPod({ name: 'o-1', namespace: 'default' });
    expect(pod.metadata?.deletionTimestamp).toBeUndefined();
    expect(pod.metadata?.ownerReferences).toBeUndefined();
  });

  it('when a CRD is deleted, then it is soon gone together with its objects', async () => {
    const ext = server.kubeConfig().makeApiClient(ApiextensionsV1Api);
    const custom = server.kubeConfig().makeApiClient(CustomObjectsApi);
    const schema = { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { cidr: { type: 'string' } } } } } };
    await ext.createCustomResourceDefinition({
      body: {
        metadata: { name: 'ippools.crd.projectcalico.org' },
        spec: { group: 'crd.projectcalico.org', scope: 'Cluster', names: { plural: 'ippools', singular: 'ippool', kind: 'IPPool', listKind: 'IPPoolList' }, versions: [{ name: 'v1', served: true, storage: true, schema }] },
      },
    });
    await custom.createClusterCustomObject({ group: 'crd.projectcalico.org', version: 'v1', plural: 'ippools', body: { apiVersion: 'crd.projectcalico.org/v1', kind: 'IPPool', metadata: { name: 'default-ipv4' }, spec: { cidr: '10.244.0.0/16' } } });
    await ext.deleteCustomResourceDefinition({ name: 'ippools.crd.projectcalico.org' });
    await waitFor('the CRD gone', async () => (await statusOf(ext.readCustomResourceDefinition({ name: 'ippools.crd.projectcalico.org' }))) === 404);
    expect(await statusOf(custom.listClusterCustomObject({ group: 'crd.projectcalico.org', version: 'v1', plural: 'ippools' }))).toBe(404);
  });

  it('when a namespace is deleted, then it and everything in it go away', async () => {
    await core.createNamespace({ body: { metadata: { name: 'temp' } } });
    await core.createNamespacedConfigMap({ namespace: 'temp', body: { metadata: { name: 'cm' }, data: { a: 'b' } } });
    await core.deleteNamespace({ name: 'temp' });
    await waitFor('namespace temp gone', async () => (await statusOf(core.readNamespace({ name: 'temp' }))) === 404);
    expect(await statusOf(core.readNamespacedConfigMap({ name: 'cm', namespace: 'temp' }))).toBe(404);
  });

  it('when an object with a finalizer is deleted, then it stays Terminating until the finalizer is cleared', async () => {
    await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'held', finalizers: ['example.com/hold'] } } });
    await core.deleteNamespacedConfigMap({ name: 'held', namespace: 'default' });
    const held = await core.readNamespacedConfigMap({ name: 'held', namespace: 'default' });
    expect(held.metadata?.deletionTimestamp).toBeDefined();
    await core.patchNamespacedConfigMap({ name: 'held', namespace: 'default', body: { metadata: { finalizers: null } } }, mergePatch);
    expect(await statusOf(core.readNamespacedConfigMap({ name: 'held', namespace: 'default' }))).toBe(404);
  });

  it('when a scheduler binds a pod, then it lands on the node once and a second binding is 409', async () => {
    await core.createNamespacedPod({ namespace: 'default', body: { metadata: { name: 'unbound' }, spec: { containers: [{ name: 'c', image: 'x' }] } } });
    const binding = (node: string): Promise<unknown> =>
      core.createNamespacedPodBinding({ name: 'unbound', namespace: 'default', body: { metadata: { name: 'unbound' }, target: { kind: 'Node', name: node } } });
    expect(await statusOf(binding('n1'))).toBe(200);
    expect((await core.readNamespacedPod({ name: 'unbound', namespace: 'default' })).spec?.nodeName).toBe('n1');
    expect(await statusOf(binding('n2'))).toBe(409);
    expect((await core.listPodForAllNamespaces({ fieldSelector: 'spec.nodeName=n1' })).items).toHaveLength(1);
  });

  it('when a PDB counts by its controller and the ReplicaSet is scaled, then expectedPods follows the scale', async () => {
    const apps = server.kubeConfig().makeApiClient(AppsV1Api);
    const policy = server.kubeConfig().makeApiClient(PolicyV1Api);
    const template = { metadata: { labels: { app: 's' } }, spec: { containers: [{ name: 'c', image: 'x' }] } };
    const rs = await apps.createNamespacedReplicaSet({ namespace: 'default', body: { metadata: { name: 's' }, spec: { replicas: 3, selector: { matchLabels: { app: 's' } }, template } } });
    const owner = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 's', uid: rs.metadata?.uid ?? '', controller: true };
    await core.createNamespacedPod({ namespace: 'default', body: { metadata: { name: 's-1', labels: { app: 's' }, ownerReferences: [owner] }, spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'x' }] } } });
    await policy.createNamespacedPodDisruptionBudget({ namespace: 'default', body: { metadata: { name: 's' }, spec: { maxUnavailable: 1, selector: { matchLabels: { app: 's' } } } } });
    const expected = async (): Promise<number | undefined> => (await policy.readNamespacedPodDisruptionBudget({ name: 's', namespace: 'default' })).status?.expectedPods;
    await waitFor('expectedPods 3', async () => (await expected()) === 3);
    await apps.patchNamespacedReplicaSet({ name: 's', namespace: 'default', body: { spec: { replicas: 5 } } }, mergePatch);
    await waitFor('expectedPods 5', async () => (await expected()) === 5);
    const pdb = await policy.readNamespacedPodDisruptionBudget({ name: 's', namespace: 'default' });
    expect(pdb.status).toMatchObject({ desiredHealthy: 4, currentHealthy: 0, disruptionsAllowed: 0 });
  });

  it('when a token has expired or was bound to a pod that is gone, then the API answers 401', async () => {
    await core.createNamespacedServiceAccount({ namespace: 'default', body: { metadata: { name: 'agent' } } });
    const expired = server.issueServiceAccountToken({ namespace: 'default', serviceAccount: 'agent', expirationSeconds: -1 });
    expect(await statusOf(server.kubeConfig({ token: expired }).makeApiClient(CoreV1Api).listNode())).toBe(401);
    const pod = await core.createNamespacedPod({ namespace: 'default', body: { metadata: { name: 'agent-pod' }, spec: { serviceAccountName: 'agent', containers: [{ name: 'c', image: 'x' }] } } });
    const bound = server.issueServiceAccountToken({ namespace: 'default', serviceAccount: 'agent', boundPod: { name: 'agent-pod', uid: pod.metadata?.uid ?? '' } });
    const asAgent = server.kubeConfig({ token: bound }).makeApiClient(CoreV1Api);
    expect(await statusOf(asAgent.listNode())).toBe(403);
    await core.deleteNamespacedPod({ name: 'agent-pod', namespace: 'default' });
    expect(await statusOf(asAgent.listNode())).toBe(401);
  });
});
