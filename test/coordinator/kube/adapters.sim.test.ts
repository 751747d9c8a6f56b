/**
 * The Kubernetes adapters against the simulated API server, as the coordinator's own ServiceAccount
 * (deploy/ RBAC): node patches and watches, evictions (429 from a PDB), guarded pod deletion, Leases
 * with optimistic concurrency, Events, and the Migration object with its status subresource.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions, type KubeConfig } from '@kubernetes/client-node';
import type { ObservedNode } from '../../../coordinator/core/observed-objects.js';
import { silentLogger } from '../../../shared/logger.js';
import { MIGRATION_GROUP, MIGRATION_PLURAL, MIGRATION_VERSION } from '../../../shared/names.js';
import { startApiServer, type SimApiServer } from '../../../sim/apiserver/index.js';
import { readDeployManifests } from '../../../sim/demo/deploy-manifests.js';
import { pdbsProtecting } from '../../../coordinator/core/drain-plan.js';
import { eventsApi } from '../../../coordinator/kube/events.js';
import { leasesApi } from '../../../coordinator/kube/leases.js';
import { migrationApi, watchMigrations } from '../../../coordinator/kube/migration.js';
import { nodesApi, watchNodes } from '../../../coordinator/kube/nodes.js';
import { pdbsApi } from '../../../coordinator/kube/pdbs.js';
import { podsApi } from '../../../coordinator/kube/pods.js';
import { waitUntil } from '../../../coordinator/engine/wait.js';

const log = silentLogger();
let api: SimApiServer;
let kc: KubeConfig;

const node = (name: string, labels: Record<string, string>) => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name, labels },
  status: { conditions: [{ type: 'Ready', status: 'True' }] },
});

const webPod = (name: string, nodeName: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name,
    namespace: 'app',
    labels: { app: 'web' },
  },
  spec: { nodeName, containers: [{ name: 'web', image: 'nginx' }] },
  status: { phase: 'Running', podIP: '10.244.1.5', conditions: [{ type: 'Ready', status: 'True' }] },
});

beforeAll(async () => {
  api = await startApiServer();
  api.applyManifests(await readDeployManifests('deploy'));
  api.applyManifests([
    node('w1', { role: 'web' }),
    node('w2', { role: 'db' }),
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'app' } },
    webPod('web-1', 'w1'),
    webPod('web-2', 'w2'),
    {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: 'web-pdb', namespace: 'app' },
      spec: { minAvailable: 2, selector: { matchLabels: { app: 'web' } } },
    },
  ]);
  const admin = api.kubeConfig().makeApiClient(CoreV1Api);
  for (const name of ['web-1', 'web-2']) {
    await admin.patchNamespacedPodStatus(
      { namespace: 'app', name, body: { status: webPod(name, '').status } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
  }
  kc = api.kubeConfig({ token: api.issueServiceAccountToken({ namespace: 'cni-migrate', serviceAccount: 'cni-migrate-coordinator' }) });
});

afterAll(async () => {
  await api.close();
});

/** Generous: on a loaded machine a watch event can lag; the waits end as soon as the condition holds. */
const WATCH_DEADLINE_MS = 60_000;

describe('kube adapters on the simulated API server', () => {
  it('when a node is cordoned and annotated with a merge patch, then the reply and the watch show it', async () => {
    const watched = watchNodes(kc, log);
    await watched.start();
    try {
      const seen: ObservedNode[] = [];
      const off = watched.onChange((n) => seen.push(n));
      const reply = await nodesApi(kc).patch('w1', { unschedulable: true, annotations: { 'cni-migrate.io/phase': 'Cordoning' } });
      expect(reply.spec?.unschedulable).toBe(true);
      expect(reply.metadata?.annotations?.['cni-migrate.io/phase']).toBe('Cordoning');
      const ok = await waitUntil(() => watched.get('w1')?.spec?.unschedulable === true, (cb) => watched.onChange(cb), WATCH_DEADLINE_MS, new AbortController().signal);
      expect({ ok, watchedSpec: watched.get('w1')?.spec }).toMatchObject({ ok: true });
      off();
      expect(seen.length).toBeGreaterThan(0);
      const undone = await nodesApi(kc).patch('w1', { unschedulable: false, annotations: { 'cni-migrate.io/phase': null } });
      expect(undone.spec?.unschedulable).toBeFalsy();
      expect(undone.metadata?.annotations?.['cni-migrate.io/phase']).toBeUndefined();
    } finally {
      await watched.stop();
    }
  });

  it('when a node is patched, then the reply holds only the fields the coordinator reads of it (decoded from those alone), at the version written', async () => {
    const reply = await nodesApi(kc).patch('w2', { annotations: { 'cni-migrate.io/phase': 'Draining', 'example.com/owner': 'someone' } });
    try {
      const read = await api.kubeConfig().makeApiClient(CoreV1Api).readNode({ name: 'w2' });
      expect(read.metadata?.annotations?.['example.com/owner']).toBe('someone');
      expect(reply.metadata).toEqual({ name: 'w2', uid: read.metadata?.uid, resourceVersion: read.metadata?.resourceVersion, labels: read.metadata?.labels, annotations: { 'cni-migrate.io/phase': 'Draining' } });
      expect(reply.status?.conditions).toEqual([{ type: 'Ready', status: 'True' }]);
    } finally {
      await nodesApi(kc).patch('w2', { annotations: { 'cni-migrate.io/phase': null, 'example.com/owner': null } });
    }
  });

  it('when nodes are listed and then change, then the watch keeps only the fields the coordinator reads of each', async () => {
    const watched = watchNodes(kc, log);
    await watched.start();
    const admin = api.kubeConfig().makeApiClient(CoreV1Api);
    const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
    const nodeInfo = { bootID: 'b-1', kernelVersion: '6.1.0', machineID: 'm', systemUUID: 's', containerRuntimeVersion: 'c', kubeletVersion: 'v1.28.7', kubeProxyVersion: 'v1.28.7', operatingSystem: 'linux', architecture: 'amd64', osImage: 'Debian' };
    const status = { nodeInfo, images: [{ names: ['registry/image:1'], sizeBytes: 1 }], conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' }] };
    try {
      const listed = watched.get('w2');
      expect(listed?.metadata?.labels).toMatchObject({ role: 'db' });
      expect(listed?.status?.conditions).toEqual([{ type: 'Ready', status: 'True' }]);
      await admin.patchNode({ name: 'w2', body: { metadata: { annotations: { 'other.io/note': 'x', 'cni-migrate.io/phase': 'Pending' } } } }, merge);
      await admin.patchNodeStatus({ name: 'w2', body: { status } }, merge);
      const ok = await waitUntil(() => watched.get('w2')?.status?.nodeInfo?.bootID === 'b-1', (cb) => watched.onChange(cb), WATCH_DEADLINE_MS, new AbortController().signal);
      expect(ok).toBe(true);
      const kept = watched.get('w2');
      expect(kept?.status).toEqual({ conditions: [{ type: 'Ready', status: 'True' }], nodeInfo: { bootID: 'b-1' } });
      expect(kept?.metadata?.annotations).toEqual({ 'cni-migrate.io/phase': 'Pending' });
      expect(Object.keys(kept?.metadata ?? {}).filter((k) => (kept?.metadata as Record<string, unknown>)[k] !== undefined).sort()).toEqual(['annotations', 'labels', 'name', 'resourceVersion', 'uid']);
    } finally {
      await admin.patchNode({ name: 'w2', body: { metadata: { annotations: { 'other.io/note': null, 'cni-migrate.io/phase': null } } } }, merge);
      await watched.stop();
    }
  });

  it('when nodes are selected with a label selector, then the API server filters them', async () => {
    expect(await nodesApi(kc).namesMatching('role=web')).toEqual(['w1']);
    expect((await nodesApi(kc).namesMatching('')).sort()).toEqual(['w1', 'w2']);
  });

  it('when a PDB allows no disruption, then the eviction is blocked (429) and the PDB can be named', async () => {
    const pods = podsApi(kc, log);
    const outcome = await pods.evict({ namespace: 'app', name: 'web-1' });
    expect(outcome.kind).toBe('blocked');
    const pod = await kc.makeApiClient(CoreV1Api).readNamespacedPod({ namespace: 'app', name: 'web-1' });
    expect(pdbsProtecting(pod, await pdbsApi(kc).inNamespace('app'))).toEqual(['app/web-pdb']);
    expect(await pods.evict({ namespace: 'app', name: 'nope' })).toEqual({ kind: 'gone' });
  });

  it('when a pod is deleted with a stale uid, then it stays; with its uid, then it starts terminating', async () => {
    const admin = api.kubeConfig().makeApiClient(CoreV1Api);
    const pods = podsApi(api.kubeConfig(), log);
    await pods.deleteIfUid({ namespace: 'app', name: 'web-2' }, 'not-its-uid');
    const pod = await admin.readNamespacedPod({ namespace: 'app', name: 'web-2' });
    expect(pod.metadata?.deletionTimestamp).toBeUndefined();
    await pods.deleteIfUid({ namespace: 'app', name: 'web-2' }, pod.metadata?.uid ?? '');
    const view = pods.watchNodePods('w2');
    await view.start();
    const terminating = await waitUntil(
      () => view.list().every((p) => p.metadata?.deletionTimestamp !== undefined),
      (cb) => view.onChange(cb),
      WATCH_DEADLINE_MS,
      new AbortController().signal,
    );
    const seen = view.list().map((p) => ({ name: p.metadata?.name, deletionTimestamp: p.metadata?.deletionTimestamp }));
    await view.stop();
    expect({ terminating, seen }).toMatchObject({ terminating: true });
  });

  it('when the delete of a pod with its uid answers 409 although the pod is still that one, then the delete fails (to be retried) and the pod stays', async () => {
    const admin = api.kubeConfig().makeApiClient(CoreV1Api);
    const pods = podsApi(api.kubeConfig(), log);
    api.applyManifests([webPod('web-3', 'w1')]);
    const pod = await admin.readNamespacedPod({ namespace: 'app', name: 'web-3' });
    const id = api.faults.add({ match: { verb: 'delete', resource: 'pods' }, conflict: true, times: 1 });
    try {
      await expect(pods.deleteIfUid({ namespace: 'app', name: 'web-3' }, pod.metadata?.uid ?? '')).rejects.toThrow(/delete pod app\/web-3/);
    } finally {
      api.faults.remove(id);
    }
    const after = await admin.readNamespacedPod({ namespace: 'app', name: 'web-3' });
    expect(after.metadata).toMatchObject({ uid: pod.metadata?.uid });
    expect(after.metadata?.deletionTimestamp).toBeUndefined();
  });

  it('when the running pods fill more than one page, then they are listed page by page (no one answer holding them all), each running pod once', async () => {
    const lists = (): number =>
      api.requestCounts().filter((c) => c.verb === 'list' && c.resource === 'pods' && c.caller.endsWith(':cni-migrate-coordinator')).reduce((n, c) => n + c.count, 0);
    const before = lists();
    const names = (await podsApi(kc, log, 1).runningPods()).map((p) => `${p.metadata?.namespace ?? ''}/${p.metadata?.name ?? ''}`);
    expect(names).toEqual(expect.arrayContaining(['app/web-1', 'app/web-2']));
    expect(new Set(names).size).toBe(names.length);
    expect(lists() - before).toBeGreaterThanOrEqual(names.length);
  });

  it('when two writers race on a Lease, then the stale one gets a Conflict', async () => {
    const leases = leasesApi(kc, 'cni-migrate');
    const now = new Date();
    const base = { name: 'cni-migrate-slot-0', holder: 'w1', acquireTime: now, renewTime: now, durationSeconds: 15, transitions: 0, annotations: {}, resourceVersion: undefined };
    const created = await leases.write(base);
    expect(created.holder).toBe('w1');
    const renewed = await leases.write({ ...created, renewTime: new Date() });
    await expect(leases.write({ ...created, holder: 'w2' })).rejects.toMatchObject({ code: 'Conflict' });
    await expect(leases.write(base)).rejects.toMatchObject({ code: 'Conflict' });
    const released = await leases.write({ ...renewed, holder: undefined });
    expect(released.holder).toBeUndefined();
    expect((await leases.get('cni-migrate-slot-0'))?.resourceVersion).toBe(released.resourceVersion);
    expect(await leases.get('absent')).toBeUndefined();
    expect((await leases.list()).map((l) => l.name)).toContain('cni-migrate-slot-0');
  });

  it('when an Event about a Node is emitted, then it is stored in namespace default', async () => {
    await eventsApi(kc, 'cp1', () => new Date()).emit({ node: 'w1', nodeUid: undefined, reason: 'CNIMigrationDraining', message: 'cordoned', warning: false });
    const list = await api.kubeConfig().makeApiClient(CoreV1Api).listNamespacedEvent({ namespace: 'default' });
    expect(list.items.map((e) => ({ reason: e.reason, node: e.involvedObject.name }))).toContainEqual({ reason: 'CNIMigrationDraining', node: 'w1' });
  });

  it('when the Migration exists, then the coordinator watches it and writes its status through the subresource (a halt reason cleared on retry); the CLI, as the user, reads it and patches its spec', async () => {
    const coords = { group: MIGRATION_GROUP, version: MIGRATION_VERSION, plural: MIGRATION_PLURAL };
    await api.kubeConfig().makeApiClient(CustomObjectsApi).createClusterCustomObject({
      ...coords,
      body: { apiVersion: `${MIGRATION_GROUP}/${MIGRATION_VERSION}`, kind: 'Migration', metadata: { name: 'default' }, spec: { concurrency: 2 } },
    });
    const m = migrationApi(kc);
    const cli = migrationApi(api.kubeConfig());
    expect((await cli.get())?.spec).toMatchObject({ concurrency: 2 });
    const watched = watchMigrations(kc, log);
    await watched.start();
    try {
      const status = { phase: 'Running', nodes: [], migrated: 0, total: 2, inFlight: 1, conditions: [] };
      await m.patchStatus(status);
      const ok = await waitUntil(() => watched.get('default')?.status !== undefined, (cb) => watched.onChange(cb), WATCH_DEADLINE_MS, new AbortController().signal);
      expect({ ok, watched: watched.get('default') }).toMatchObject({ ok: true });
      expect(watched.get('default')?.status).toMatchObject({ phase: 'Running', total: 2 });
      await m.patchStatus({ ...status, phase: 'Halted', haltReason: 'w1: drain not finished' });
      expect((await cli.get())?.status).toMatchObject({ haltReason: 'w1: drain not finished' });
      await m.patchStatus({ ...status, phase: 'Completed' });
      expect((await cli.get())?.status).not.toHaveProperty('haltReason');
      await cli.patchSpec({ paused: true });
      expect((await cli.get())?.spec).toMatchObject({ paused: true, concurrency: 2 });
    } finally {
      await watched.stop();
    }
  });
});
