/**
 * Deletion and server-kept fields over HTTP: a namespace stays Terminating while a bound pod remains and
 * goes once its kubelet finishes the pod; DaemonSet template generation and status counters as real.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AppsV1Api, CoreV1Api, PatchStrategy, setHeaderOptions, type V1Namespace } from '@kubernetes/client-node';
import { startApiServer, type SimApiServer } from '../../../sim/apiserver/index.js';
import { statusOf } from './status-code.js';
import { waitFor } from '../../support/wait-for.js';

let server: SimApiServer;
let core: CoreV1Api;
let apps: AppsV1Api;

beforeAll(async () => {
  server = await startApiServer();
  core = server.kubeConfig().makeApiClient(CoreV1Api);
  apps = server.kubeConfig().makeApiClient(AppsV1Api);
});
afterAll(async () => {
  await server.close();
});

const conditionOf = (ns: V1Namespace, type: string): string | undefined => ns.status?.conditions?.find((c) => c.type === type)?.message;

describe('deletion as the real controllers do it', () => {
  it('when a namespace holding a bound pod is deleted, then it stays Terminating naming the pod until the pod is finished, then goes', async () => {
    await core.createNamespace({ body: { metadata: { name: 'doomed' } } });
    await core.createNode({ body: { metadata: { name: 'n1' } } });
    const pod = await core.createNamespacedPod({ namespace: 'doomed', body: { metadata: { name: 'p' }, spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'x' }] } } });
    await core.createNamespacedConfigMap({ namespace: 'doomed', body: { metadata: { name: 'cm' } } });
    await core.deleteNamespace({ name: 'doomed' });
    await waitFor('conditions written', async () => conditionOf(await core.readNamespace({ name: 'doomed' }), 'NamespaceContentRemaining') !== undefined);
    const ns = await core.readNamespace({ name: 'doomed' });
    expect(ns.status?.phase).toBe('Terminating');
    expect(conditionOf(ns, 'NamespaceContentRemaining')).toBe('Some resources are remaining: pods. has 1 resource instances');
    expect(await statusOf(core.readNamespacedConfigMap({ name: 'cm', namespace: 'doomed' }))).toBe(404);
    await core.deleteNamespacedPod({ name: 'p', namespace: 'doomed', body: { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata?.uid ?? '' } } });
    await waitFor('namespace gone', async () => (await statusOf(core.readNamespace({ name: 'doomed' }))) === 404);
  });

  it('when a DaemonSet’s template changes, then its template generation goes up; zero status counters read back absent', async () => {
    const template = { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'x' }] } };
    const ds = await apps.createNamespacedDaemonSet({ namespace: 'default', body: { metadata: { name: 'd' }, spec: { selector: { matchLabels: { a: 'b' } }, template } } });
    expect(ds.metadata?.annotations?.['deprecated.daemonset.template.generation']).toBe('1');
    const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
    const restarted = await apps.patchNamespacedDaemonSet({ name: 'd', namespace: 'default', body: { spec: { template: { metadata: { annotations: { r: '1' } } } } } }, merge);
    expect(restarted.metadata?.annotations?.['deprecated.daemonset.template.generation']).toBe('2');
    const status = { currentNumberScheduled: 1, numberMisscheduled: 0, desiredNumberScheduled: 1, numberReady: 0, numberAvailable: 0, updatedNumberScheduled: 0 };
    const after = await apps.patchNamespacedDaemonSetStatus({ name: 'd', namespace: 'default', body: { status } }, merge);
    expect(after.status).toEqual({ currentNumberScheduled: 1, numberMisscheduled: 0, desiredNumberScheduled: 1, numberReady: 0 });
  });
});
