/**
 * kubectl (the real binary) against the simulated API server, as the admin: get, label, cordon, and a
 * drain honouring a PodDisruptionBudget while a tiny in-test kubelet deletes the drained node's pods and
 * a tiny ReplicaSet controller replaces them elsewhere.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { CoreV1Api, Watch, type V1Pod } from '@kubernetes/client-node';
import type { SimApiServer } from '../../../sim/apiserver/index.js';
import { startKubectlSim, type KubectlSim } from './kubectl-sim.js';
import { readDeployManifests } from '../../../sim/demo/deploy-manifests.js';
import { NodeAnnotation, PHASE_LABEL } from '../../../shared/names.js';
import { readmeBlock } from '../../support/readme.js';
import { REPO_ROOT } from '../../deploy/support/manifests.js';

let sim: KubectlSim;
let server: SimApiServer;
let core: CoreV1Api;
const stops: (() => void)[] = [];
const kubectl = (...args: string[]): ReturnType<KubectlSim['kubectl']> => sim.kubectl(...args);

const isReady = [{ type: 'Ready', status: 'True' }];


function owned(kind: string, name: string, uid: string): Record<string, unknown> {
  return { apiVersion: 'apps/v1', kind, name, uid, controller: true, blockOwnerDeletion: true };
}

async function podFor(name: string, node: string, owner: Record<string, unknown>, labels: Record<string, string>): Promise<void> {
  server.applyManifests([
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: 'default', labels, ownerReferences: [owner] },
      spec: { nodeName: node, terminationGracePeriodSeconds: 5, containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.9' }], volumes: [{ name: 'scratch', emptyDir: {} }] },
    },
  ]);
  await core.replaceNamespacedPodStatus({
    name,
    namespace: 'default',
    body: { ...(await core.readNamespacedPod({ name, namespace: 'default' })), status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] } },
  });
}

/** Deletes, with grace 0, every pod on `node` that turns Terminating (what a kubelet does after stopping it). */
async function startKubelet(node: string): Promise<void> {
  const w = new Watch(server.kubeConfig());
  const ctl = await w.watch('/api/v1/pods', { fieldSelector: `spec.nodeName=${node}` }, (type: string, pod: V1Pod) => {
    if (type !== 'MODIFIED' || !pod.metadata?.deletionTimestamp) return;
    void core.deleteNamespacedPod({ name: pod.metadata.name ?? '', namespace: pod.metadata.namespace ?? '', gracePeriodSeconds: 0 }).catch(() => undefined);
  }, () => undefined);
  stops.push(() => ctl.abort());
}

/** Replaces each removed `app=web` pod with a Ready one on `node` (what a ReplicaSet controller and kubelet do). */
async function startReplacer(node: string, owner: Record<string, unknown>): Promise<void> {
  let n = 0;
  const w = new Watch(server.kubeConfig());
  const ctl = await w.watch('/api/v1/namespaces/default/pods', { labelSelector: 'app=web' }, (type: string) => {
    if (type !== 'DELETED') return;
    n += 1;
    void podFor(`web-new-${n}`, node, owner, { app: 'web' });
  }, () => undefined);
  stops.push(() => ctl.abort());
}

describe('kubectl against the simulated API server', () => {
  beforeAll(async () => {
    sim = await startKubectlSim('sim-kubectl-');
    ({ server } = sim);
    core = server.kubeConfig().makeApiClient(CoreV1Api);
    const nodes = ['sim-w1', 'sim-w2'].map((name) => ({ apiVersion: 'v1', kind: 'Node', metadata: { name }, status: { conditions: isReady } }));
    server.applyManifests(nodes);
  });

  afterAll(async () => {
    stops.forEach((s) => s());
    await sim?.close();
  });

  it('when kubectl get nodes runs, then it lists the nodes', async () => {
    const r = await kubectl('get', 'nodes');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('sim-w1');
    expect(r.stdout).toContain('sim-w2');
  });

  it('when kubectl label runs, then the node carries the label', async () => {
    const r = await kubectl('label', 'node', 'sim-w1', 'io.cilium.migration/cilium-default=true');
    expect(r.exitCode).toBe(0);
    const node = await core.readNode({ name: 'sim-w1' });
    expect(node.metadata?.labels?.['io.cilium.migration/cilium-default']).toBe('true');
  });

  it('when kubectl cordon runs, then the node is unschedulable', async () => {
    const r = await kubectl('cordon', 'sim-w2');
    expect(r.exitCode).toBe(0);
    expect((await core.readNode({ name: 'sim-w2' })).spec?.unschedulable).toBe(true);
    expect((await kubectl('uncordon', 'sim-w2')).exitCode).toBe(0);
  });

  it('when kubectl drain runs against a PDB, then it retries the blocked eviction and empties the node but its DaemonSet pod', async () => {
    const [rs, ds] = server.applyManifests([
      { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web', namespace: 'default' }, spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'x' }] } } } },
      { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'agent', namespace: 'default' }, spec: { selector: { matchLabels: { app: 'agent' } }, template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'c', image: 'x' }] } } } },
      { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'web', namespace: 'default' }, spec: { minAvailable: 2, selector: { matchLabels: { app: 'web' } } } },
    ]);
    const rsOwner = owned('ReplicaSet', 'web', String((rs?.['metadata'] as Record<string, unknown>)['uid']));
    const dsOwner = owned('DaemonSet', 'agent', String((ds?.['metadata'] as Record<string, unknown>)['uid']));
    await podFor('web-a', 'sim-w1', rsOwner, { app: 'web' });
    await podFor('web-b', 'sim-w1', rsOwner, { app: 'web' });
    await podFor('web-c', 'sim-w2', rsOwner, { app: 'web' });
    await podFor('agent-w1', 'sim-w1', dsOwner, { app: 'agent' });
    await startKubelet('sim-w1');
    await startReplacer('sim-w2', rsOwner);
    server.resetRequestCounts();

    const r = await kubectl('drain', 'sim-w1', '--ignore-daemonsets', '--delete-emptydir-data', '--timeout=20s');

    expect(r.stderr).toContain("would violate the pod's disruption budget");
    expect(r.exitCode).toBe(0);
    const left = await core.listPodForAllNamespaces({ fieldSelector: 'spec.nodeName=sim-w1' });
    expect(left.items.map((p) => p.metadata?.name)).toEqual(['agent-w1']);
    const evictions = server.requestCounts().filter((c) => c.subresource === 'eviction').reduce((a, c) => a + c.count, 0);
    expect(evictions).toBeGreaterThan(2);
    expect((await core.readNode({ name: 'sim-w1' })).spec?.unschedulable).toBe(true);
  });

  it('when the README\'s watch command lists nodes with the phase label, then it shows each phase and selects by it', async () => {
    server.applyManifests([
      { apiVersion: 'v1', kind: 'Node', metadata: { name: 'sim-w3', labels: { 'cni-migrate.io/phase': 'Halted' } } },
      { apiVersion: 'v1', kind: 'Node', metadata: { name: 'sim-w4', labels: { 'cni-migrate.io/phase': 'Done' } } },
    ]);
    const all = (await kubectl('get', 'nodes', '-L', 'cni-migrate.io/phase')).stdout.split('\n');
    expect(all[0]).toMatch(/\sPHASE$/);
    expect(all.find((l) => l.startsWith('sim-w4 '))).toMatch(/\sDone$/);
    const halted = (await kubectl('get', 'nodes', '-l', 'cni-migrate.io/phase=Halted', '-o', 'name')).stdout;
    expect(halted).toBe('node/sim-w3');
  });

  it('when the README\'s uninstall commands run, then the Migration, everything deploy/ installed and every cni-migrate.io key on the Nodes are gone', async () => {
    server.applyManifests(await readDeployManifests('deploy'));
    server.applyManifests([{ apiVersion: 'cni-migrate.io/v1alpha1', kind: 'Migration', metadata: { name: 'default' }, spec: {} }]);
    const everyKey = Object.fromEntries(Object.values(NodeAnnotation).map((k) => [k, 'x']));
    server.applyManifests([{ apiVersion: 'v1', kind: 'Node', metadata: { name: 'sim-w5', labels: { [PHASE_LABEL]: 'Done', keep: 'me' }, annotations: { ...everyKey, other: 'kept' } } }]);
    const lines = readmeBlock('## Uninstall', 'sh').trim().split('\n').filter((l) => l.startsWith('kubectl '));
    expect(lines.length).toBe(4);
    for (const line of lines) {
      const args = line.split(/\s+/).slice(1).map((a) => (a === 'deploy/' ? join(REPO_ROOT, 'deploy') : a));
      const r = await kubectl(...args);
      expect({ line, exitCode: r.exitCode, stderr: r.stderr }).toEqual({ line, exitCode: 0, stderr: "" });
    }
    const node = await core.readNode({ name: 'sim-w5' });
    expect(node.metadata?.labels).toMatchObject({ keep: 'me' });
    expect(Object.keys(node.metadata?.labels ?? {}).filter((k) => k.startsWith('cni-migrate.io/'))).toEqual([]);
    expect(Object.keys(node.metadata?.annotations ?? {}).filter((k) => k.startsWith('cni-migrate.io/'))).toEqual([]);
    expect(node.metadata?.annotations?.['other']).toBe('kept');
    expect((await kubectl('get', 'namespace', 'cni-migrate')).exitCode).not.toBe(0);
    expect((await kubectl('get', 'crd', 'migrations.cni-migrate.io')).exitCode).not.toBe(0);
  });
});
