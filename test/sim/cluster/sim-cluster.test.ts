import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { AppsV1Api, CoordinationV1Api, CoreV1Api, PolicyV1Api, PatchStrategy, setHeaderOptions, type V1Node, type V1Pod, type V1Lease } from '@kubernetes/client-node';
import { CheckEnv, CheckReportSchema } from '../../../shared/checks.js';
import { CILIUM_MIGRATION_LABEL, CHECK_POD_COMPONENT, COMPONENT_LABEL } from '../../../shared/names.js';
import { seedCluster, startSimCluster, type SimCluster } from '../../../sim/index.js';
import { ipInCidr } from '../../../sim/cluster/network-model.js';
import { watchUntil } from './watch-until.js';

let sim: SimCluster;
let core: CoreV1Api;
let apps: AppsV1Api;
const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

const ready = (n: V1Node): boolean => (n.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
const podReady = (p: V1Pod): boolean => p.status?.phase === 'Running' && (p.status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
const onNode = (node: string) => (p: V1Pod): boolean => p.spec?.nodeName === node;

function waitNode(name: string, until: (n: V1Node) => boolean, what: string, deadlineMs?: number): Promise<V1Node[]> {
  return watchUntil<V1Node>(sim.kubeConfig(), {
    path: '/api/v1/nodes',
    query: { fieldSelector: `metadata.name=${name}` },
    until: (nodes) => nodes.length === 1 && until(nodes[0]!),
    what,
    ...(deadlineMs ? { deadlineMs } : {}),
  });
}

function waitPods(where: { namespace: string; labelSelector: string; deadlineMs?: number }, until: (pods: V1Pod[]) => boolean, what: string): Promise<V1Pod[]> {
  const { namespace, labelSelector, deadlineMs } = where;
  return watchUntil<V1Pod>(sim.kubeConfig(), { path: `/api/v1/namespaces/${namespace}/pods`, query: { labelSelector }, until, what, ...(deadlineMs ? { deadlineMs } : {}) });
}

async function ciliumPodOn(node: string): Promise<V1Pod> {
  const [pod] = (await waitPods({ namespace: 'kube-system', labelSelector: 'k8s-app=cilium' }, (pods) => pods.some((p) => onNode(node)(p) && podReady(p) && !p.metadata?.deletionTimestamp), `cilium ready on ${node}`)).filter(
    (p) => onNode(node)(p) && podReady(p) && !p.metadata?.deletionTimestamp,
  );
  return pod!;
}

async function recreateCiliumPod(node: string): Promise<void> {
  const old = await ciliumPodOn(node);
  await core.deleteNamespacedPod({ name: old.metadata?.name ?? '', namespace: 'kube-system' });
  await waitPods({ namespace: 'kube-system', labelSelector: 'k8s-app=cilium' }, (pods) => pods.some((p) => onNode(node)(p) && p.metadata?.uid !== old.metadata?.uid && podReady(p)), `cilium re-created on ${node}`);
}

async function rebootAndWait(node: string): Promise<string> {
  const before = sim.bootId(node);
  await sim.rebootNode(node);
  const [n] = await waitNode(node, (x) => ready(x) && x.status?.nodeInfo?.bootID !== before, `${node} back after reboot`);
  return n!.status?.nodeInfo?.bootID ?? '';
}

async function podIpAfterStart(name: string, node: string, previousIp?: string): Promise<string> {
  const [pod] = await waitPods({ namespace: 'default', labelSelector: `test=${name}` }, (pods) => pods.some((p) => podReady(p) && p.status?.podIP !== undefined && p.status.podIP !== previousIp), `${name} running on ${node}`);
  return pod!.status?.podIP ?? '';
}

beforeAll(async () => {
  sim = await startSimCluster({ nodes: 5, seed: 42, rebootDowntimeMs: 300, ciliumReadyDelayMs: 100, heartbeatIntervalMs: 300, statusRetryMs: 300 });
  core = sim.kubeConfig().makeApiClient(CoreV1Api);
  apps = sim.kubeConfig().makeApiClient(AppsV1Api);
  await watchUntil<V1Pod>(sim.kubeConfig(), { path: '/api/v1/pods', until: (pods) => pods.length >= 18 && pods.every(podReady), what: 'seeded pods ready' });
});

afterAll(async () => {
  await sim.close();
});

describe('simulated cluster: nodes and kubelets', () => {
  it('when the cluster starts, then every node is Ready, reports its boot id, and renews its Lease', async () => {
    expect(sim.nodeNames()).toEqual(['sim-cp-1', 'sim-worker-1', 'sim-worker-2', 'sim-worker-3', 'sim-worker-4']);
    const nodes = (await core.listNode()).items;
    for (const n of nodes) {
      expect({ node: n.metadata?.name, ready: ready(n) }).toEqual({ node: n.metadata?.name, ready: true });
      expect(n.status?.nodeInfo?.bootID).toBe(sim.bootId(n.metadata?.name ?? ''));
      expect(n.metadata?.labels?.['kubernetes.io/os']).toBe('linux');
    }
    const leases = sim.kubeConfig().makeApiClient(CoordinationV1Api);
    const first = await leases.readNamespacedLease({ name: 'sim-worker-1', namespace: 'kube-node-lease' });
    await watchUntil<V1Lease>(sim.kubeConfig(), {
      path: '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases',
      query: { fieldSelector: 'metadata.name=sim-worker-1' },
      until: (ls) => ls.some((l) => String(l.spec?.renewTime) !== String(first.spec?.renewTime) && l.metadata?.resourceVersion !== first.metadata?.resourceVersion),
      what: 'lease renewed',
    });
  });

  it('when the seed runs again on a seeded cluster, then it succeeds and creates no duplicates', async () => {
    const before = (await apps.listDeploymentForAllNamespaces()).items.map((d) => `${d.metadata?.name}@${d.metadata?.resourceVersion}`).sort();
    await seedCluster(sim.kubeConfig());
    const after = (await apps.listDeploymentForAllNamespaces()).items.map((d) => `${d.metadata?.name}@${d.metadata?.resourceVersion}`).sort();
    expect(after.map((x) => x.split('@')[0])).toEqual(before.map((x) => x.split('@')[0]));
  });

  it('when the control-plane node registers, then it carries the role label, its taint and its address', async () => {
    const cp = await core.readNode({ name: 'sim-cp-1' });
    expect(cp.metadata?.labels?.['node-role.kubernetes.io/control-plane']).toBe('');
    expect(cp.spec?.taints).toContainEqual({ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' });
    expect(cp.status?.addresses).toContainEqual({ type: 'InternalIP', address: '172.18.0.2' });
  });

  it('when a pod runs, then it is Running with an address from its node block (hostNetwork pods use the node address)', async () => {
    const pods = (await core.listPodForAllNamespaces()).items;
    const web = pods.filter((p) => p.metadata?.labels?.app === 'web');
    expect(web.map((p) => p.status?.podIP ?? '').filter((ip) => !ipInCidr(ip, '10.244.0.0/16'))).toEqual([]);
    const calico = pods.find((p) => p.metadata?.name?.startsWith('calico-node') && p.spec?.nodeName === 'sim-worker-1');
    expect(calico?.status?.podIP).toBe('172.18.0.3');
    expect(web.map((p) => p.spec?.nodeName)).not.toContain('sim-cp-1');
  });

  it('when a node reboots, then it goes NotReady, comes back Ready with a new boot id, and its pods restart', async () => {
    const node = 'sim-worker-2';
    const before = sim.bootId(node);
    const down = waitNode(node, (n) => !ready(n), 'node NotReady');
    await sim.rebootNode(node);
    await down;
    const after = await rebootAndWaitObserved(node, before);
    expect(after).not.toBe(before);
    expect(after).toBe(sim.bootId(node));
    const [calico] = await waitPods({ namespace: 'kube-system', labelSelector: 'k8s-app=calico-node' }, (pods) => pods.some((p) => onNode(node)(p) && podReady(p) && (p.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1), 'calico restarted');
    expect(calico).toBeDefined();
  });

  it('when the status writes around a reboot fail, then the node still boots and its new boot id reaches the Node (the write is tried again)', async () => {
    const node = 'sim-worker-3';
    const before = sim.bootId(node);
    const rule = sim.api?.faults.add({ match: { verb: 'patch', resource: 'nodes', subresource: 'status' }, error: 500, times: 2 }) ?? '';
    try {
      await sim.rebootNode(node);
      const after = await rebootAndWaitObserved(node, before);
      expect(sim.api?.faults.injected()).toBe(2);
      expect(after).toBe(sim.bootId(node));
    } finally {
      sim.api?.faults.remove(rule);
    }
  });
});

async function rebootAndWaitObserved(node: string, before: string): Promise<string> {
  const [n] = await waitNode(node, (x) => ready(x) && x.status?.nodeInfo?.bootID !== before, `${node} back`);
  return n!.status?.nodeInfo?.bootID ?? '';
}

describe('simulated cluster: controllers', () => {
  it('when a DaemonSet pod is deleted, then a new one is created on the same node', async () => {
    const old = await ciliumPodOn('sim-worker-3');
    await core.deleteNamespacedPod({ name: old.metadata?.name ?? '', namespace: 'kube-system' });
    const pods = await waitPods({ namespace: 'kube-system', labelSelector: 'k8s-app=cilium' }, (ps) => ps.some((p) => onNode('sim-worker-3')(p) && p.metadata?.uid !== old.metadata?.uid && podReady(p)), 'replacement');
    const fresh = pods.find((p) => onNode('sim-worker-3')(p) && p.metadata?.uid !== old.metadata?.uid);
    expect(fresh?.metadata?.name).toMatch(/^cilium-[a-z0-9]{5}$/);
    expect(fresh?.metadata?.ownerReferences?.[0]).toMatchObject({ kind: 'DaemonSet', name: 'cilium', controller: true });
  });

  it('when a DaemonSet pod\'s create fails, then the retry creates it at once (the failed create is not waited for until its expectation\'s deadline)', async () => {
    const old = await ciliumPodOn('sim-worker-2');
    const rule = sim.api?.faults.add({ match: { verb: 'create', resource: 'pods' }, error: 500, times: 1 }) ?? '';
    try {
      await core.deleteNamespacedPod({ name: old.metadata?.name ?? '', namespace: 'kube-system' });
      await waitPods({ namespace: 'kube-system', labelSelector: 'k8s-app=cilium' }, (ps) => ps.some((p) => onNode('sim-worker-2')(p) && p.metadata?.uid !== old.metadata?.uid && podReady(p)), 'replacement after a refused create');
      expect(sim.api?.faults.injected()).toBe(1);
    } finally {
      sim.api?.faults.remove(rule);
    }
  });

  it('when the DaemonSet is rollout-restarted, then pods are replaced one node at a time and status reports the rollout complete', async () => {
    const before = new Set((await core.listNamespacedPod({ namespace: 'kube-system', labelSelector: 'k8s-app=cilium' })).items.map((p) => p.metadata?.uid));
    const body = { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': new Date().toISOString() } } } } };
    await apps.patchNamespacedDaemonSet({ name: 'cilium', namespace: 'kube-system', body }, merge);
    let worstUnavailable = 0;
    await waitPods(
      { namespace: 'kube-system', labelSelector: 'k8s-app=cilium' },
      (ps) => {
        const readyNodes = new Set(ps.filter((p) => podReady(p) && !p.metadata?.deletionTimestamp).map((p) => p.spec?.nodeName));
        if (ps.length >= 5) worstUnavailable = Math.max(worstUnavailable, 5 - readyNodes.size);
        return ps.length === 5 && ps.every((p) => !before.has(p.metadata?.uid) && podReady(p));
      },
      'all cilium pods replaced',
    );
    expect(worstUnavailable).toBe(1);
    const ds = await watchUntil<{ metadata?: { name?: string }; status?: Record<string, number> }>(sim.kubeConfig(), {
      path: '/apis/apps/v1/namespaces/kube-system/daemonsets',
      query: { fieldSelector: 'metadata.name=cilium' },
      until: (d) => d[0]?.status?.updatedNumberScheduled === 5 && d[0].status.numberAvailable === 5,
      what: 'DaemonSet status updated',
    });
    expect(ds[0]?.status).toEqual({ currentNumberScheduled: 5, numberMisscheduled: 0, desiredNumberScheduled: 5, numberReady: 5, observedGeneration: 2, updatedNumberScheduled: 5, numberAvailable: 5 });
  });

  it('when a pod is created without a node, then the scheduler binds it to a schedulable worker and it runs', async () => {
    await core.createNamespacedPod({ namespace: 'default', body: { metadata: { name: 'unbound', labels: { test: 'unbound' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } });
    const [pod] = await waitPods({ namespace: 'default', labelSelector: 'test=unbound' }, (ps) => ps.some(podReady), 'unbound pod scheduled');
    expect(pod?.spec?.nodeName).toMatch(/^sim-worker-/);
    await core.deleteNamespacedPod({ name: 'unbound', namespace: 'default' });
  });

  it('when a node is cordoned and its workload pods evicted, then they are rescheduled on other nodes', async () => {
    const node = 'sim-worker-4';
    await core.patchNode({ name: node, body: { spec: { unschedulable: true } } }, merge);
    const victims = (await core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${node}` })).items.filter((p) => p.metadata?.namespace === 'demo');
    expect(victims.length).toBeGreaterThan(0);
    for (const pod of victims) await evictWhenAllowed(pod);
    const pods = await waitPods({ namespace: 'demo', labelSelector: 'app in (web,api)' }, (ps) => ps.filter(podReady).length === 5 && ps.every((p) => !onNode(node)(p)), 'workloads rescheduled');
    expect(pods.map((p) => p.spec?.nodeName).filter((n) => n === node || n === 'sim-cp-1')).toEqual([]);
  });
});

async function evictWhenAllowed(pod: V1Pod): Promise<void> {
  const { name = '', namespace = '' } = pod.metadata ?? {};
  const app = pod.metadata?.labels?.app ?? '';
  await waitPods({ namespace, labelSelector: `app=${app}` }, (ps) => ps.filter((p) => podReady(p) && !p.metadata?.deletionTimestamp).length >= (app === 'web' ? 3 : 2), `${app} at full strength`);
  await core.createNamespacedPodEviction({ name, namespace, body: { metadata: { name, namespace } } });
}

describe('simulated cluster: the network model', () => {
  it('when label, Cilium pod re-creation and reboot all happened, then (only then) pod IPs come from Cilium, and rollback returns them', async () => {
    const node = 'sim-worker-1';
    await core.createNamespacedPod({ namespace: 'default', body: { metadata: { name: 'probe', labels: { test: 'probe' } }, spec: { nodeName: node, containers: [{ name: 'c', image: 'busybox' }] } } });
    const calicoIp = await podIpAfterStart('probe', node);
    expect(ipInCidr(calicoIp, '10.244.1.0/24')).toBe(true);

    await core.patchNode({ name: node, body: { metadata: { labels: { [CILIUM_MIGRATION_LABEL]: 'true' } } } }, merge);
    await rebootAndWait(node);
    const stillCalico = await podIpAfterStart('probe', node, 'none');
    expect(ipInCidr(stillCalico, '10.244.0.0/16')).toBe(true);
    expect(sim.network.of(node).active).toBe('calico');

    await recreateCiliumPod(node);
    expect(sim.network.of(node).active).toBe('calico');
    expect(sim.ciliumManaged(node)).toBe(true);
    await rebootAndWait(node);
    const ciliumIp = await podIpAfterStart('probe', node, stillCalico);
    expect(ipInCidr(ciliumIp, '10.245.1.0/24')).toBe(true);
    const migrated = await core.readNode({ name: node });
    expect(migrated.status?.conditions?.find((c) => c.type === 'NetworkUnavailable')).toMatchObject({ status: 'False', reason: 'CiliumIsUp' });
    await expectCrossCniPing(node);
    expect(sim.network.of(node)).toMatchObject({ active: 'cilium', labelled: true, switches: 1 });

    await core.patchNode({ name: node, body: { metadata: { labels: { [CILIUM_MIGRATION_LABEL]: null } } } }, merge);
    await recreateCiliumPod(node);
    await rebootAndWait(node);
    const backIp = await podIpAfterStart('probe', node, ciliumIp);
    expect(ipInCidr(backIp, '10.244.0.0/16')).toBe(true);
    expect(sim.network.of(node).active).toBe('calico');
  });
});

/** A Cilium node pings a Calico pod: fine through the host stack (legacy routing), not without it. */
async function expectCrossCniPing(node: string): Promise<void> {
  const calicoPeer = (await core.listNamespacedPod({ namespace: 'demo', labelSelector: 'app=web' })).items.map((p) => p.status?.podIP ?? '').find((ip) => ipInCidr(ip, '10.244.0.0/16'));
  const env = { [CheckEnv.expectedCidr]: '10.245.0.0/16', [CheckEnv.peers]: calicoPeer ?? '', [CheckEnv.dnsName]: 'kubernetes.default.svc.cluster.local', [CheckEnv.timeoutSeconds]: '1' };
  expect((await runCheck('check-legacy-routing', node, env)).phase).toBe('Succeeded');
  const setRouting = (value: string) => core.patchNamespacedConfigMap({ name: 'cilium-config', namespace: 'kube-system', body: { data: { 'enable-host-legacy-routing': value } } }, merge);
  await setRouting('false');
  try {
    const { phase, report } = await runCheck('check-native-routing', node, env);
    expect(phase).toBe('Failed');
    expect(report.results.filter((r) => !r.ok).map((r) => r.check)).toEqual(['ping']);
  } finally {
    await setRouting('true');
  }
}

async function runCheck(name: string, node: string, env: Record<string, string>): Promise<{ phase: string; report: ReturnType<typeof CheckReportSchema.parse> }> {
  const body: V1Pod = {
    metadata: { name, namespace: 'default', labels: { [COMPONENT_LABEL]: CHECK_POD_COMPONENT, test: name } },
    spec: { nodeName: node, restartPolicy: 'Never', containers: [{ name: 'check', image: 'busybox', env: Object.entries(env).map(([k, v]) => ({ name: k, value: v })) }] },
  };
  await core.createNamespacedPod({ namespace: 'default', body });
  const finished = (p: V1Pod): boolean => ['Succeeded', 'Failed'].includes(p.status?.phase ?? '');
  const [pod] = (await waitPods({ namespace: 'default', labelSelector: `test=${name}` }, (ps) => ps.some(finished), `${name} finished`)).filter(finished);
  const status = pod!.status!;
  const message = status.containerStatuses?.[0]?.state?.terminated?.message ?? '';
  return { phase: status.phase ?? '', report: CheckReportSchema.parse(JSON.parse(message)) };
}

describe('simulated cluster: check pods and faults', () => {
  const node = 'sim-worker-3';
  let env: Record<string, string>;

  beforeAll(async () => {
    const peers = (await core.listNamespacedPod({ namespace: 'demo', labelSelector: 'app=web' })).items.map((p) => p.status?.podIP ?? '');
    env = { [CheckEnv.expectedCidr]: '10.244.0.0/16', [CheckEnv.peers]: peers.join(' '), [CheckEnv.dnsName]: 'kubernetes.default.svc.cluster.local', [CheckEnv.timeoutSeconds]: '2' };
  });

  const failedChecks = (report: { results: { check: string; ok: boolean }[] }): string[] => [...new Set(report.results.filter((r) => !r.ok).map((r) => r.check))];

  it('when nothing is faulted, then the check pod succeeds with a parseable report', async () => {
    const { phase, report } = await runCheck('check-ok', node, env);
    expect(phase).toBe('Succeeded');
    expect(failedChecks(report)).toEqual([]);
    expect(report.results.filter((r) => r.check === 'ping')).toHaveLength(3);
  });

  it.each<[string, Parameters<SimCluster['faults']['set']>[1], string[]]>([
    ['dns-broken', { dnsBroken: true }, ['dns']],
    ['net-broken', { podNetworkBroken: true }, ['api', 'ping', 'dns']],
    ['api-unreachable', { apiUnreachable: true }, ['api']],
  ])('when the fault %s is set on the node, then the check pod fails on exactly that', async (name, fault, expected) => {
    sim.faults.set(node, fault);
    try {
      const { phase, report } = await runCheck(`check-${name}`, node, env);
      expect(phase).toBe('Failed');
      expect(failedChecks(report)).toEqual(expected);
    } finally {
      sim.faults.clear(node);
    }
  });

  it('when the expected CIDR is Cilium’s but the node is on Calico, then pod-cidr fails', async () => {
    const { report } = await runCheck('check-cidr', node, { ...env, [CheckEnv.expectedCidr]: '10.245.0.0/16' });
    expect(failedChecks(report)).toEqual(['pod-cidr']);
  });

  it('when ciliumNeverReady is set, then the re-created Cilium pod runs but never turns Ready', async () => {
    sim.faults.set(node, { ciliumNeverReady: true });
    const old = await ciliumPodOn(node);
    await core.deleteNamespacedPod({ name: old.metadata?.name ?? '', namespace: 'kube-system' });
    const [fresh] = (await waitPods({ namespace: 'kube-system', labelSelector: 'k8s-app=cilium' }, (ps) => ps.some((p) => onNode(node)(p) && p.metadata?.uid !== old.metadata?.uid && p.status?.phase === 'Running'), 'new cilium running')).filter(
      (p) => onNode(node)(p) && p.metadata?.uid !== old.metadata?.uid,
    );
    expect(podReady(fresh!)).toBe(false);
    await expect(waitPods({ namespace: 'kube-system', labelSelector: 'k8s-app=cilium', deadlineMs: 1000 }, (ps) => ps.some((p) => p.metadata?.uid === fresh?.metadata?.uid && podReady(p)), 'never ready')).rejects.toThrow('deadline');
    sim.faults.clear(node);
  });

  it('when a PDB never allows, then evicting its pods is refused', async () => {
    const block = await sim.faults.blockEvictions('demo', { app: 'api' });
    try {
      expect(block.pdbName).toBe('sim-never-allows-api');
      expect((await sim.kubeConfig().makeApiClient(PolicyV1Api).listNamespacedPodDisruptionBudget({ namespace: 'demo' })).items.map((p) => p.metadata?.name).sort()).toEqual(['sim-never-allows-api', 'web']);
      await watchUntil<{ metadata?: { name?: string; generation?: number }; status?: { disruptionsAllowed?: number; observedGeneration?: number } }>(sim.kubeConfig(), {
        path: '/apis/policy/v1/namespaces/demo/poddisruptionbudgets',
        query: { fieldSelector: 'metadata.name=sim-never-allows-api' },
        until: (ps) => ps[0]?.status?.observedGeneration === ps[0]?.metadata?.generation && ps[0]?.status?.disruptionsAllowed === 0,
        what: 'PDB status computed',
      });
      const [victim] = (await core.listNamespacedPod({ namespace: 'demo', labelSelector: 'app=api' })).items;
      const { name = '' } = victim?.metadata ?? {};
      await expect(core.createNamespacedPodEviction({ name, namespace: 'demo', body: { metadata: { name, namespace: 'demo' } } })).rejects.toMatchObject({ code: 429 });
    } finally {
      await sim.faults.unblockEvictions(block);
    }
    const restored = await sim.kubeConfig().makeApiClient(PolicyV1Api).readNamespacedPodDisruptionBudget({ name: 'api', namespace: 'demo' });
    expect(restored.spec?.maxUnavailable).toBe(1);
  });

  it('when neverReturns is set, then a rebooted node stays NotReady until the fault is cleared and it is rebooted again', async () => {
    const node4 = 'sim-worker-4';
    sim.faults.set(node4, { neverReturns: true });
    await sim.rebootNode(node4);
    await waitNode(node4, (n) => !ready(n), 'down');
    await expect(waitNode(node4, ready, 'back', 1500)).rejects.toThrow('deadline');
    sim.faults.clear(node4);
    await sim.rebootNode(node4);
    await waitNode(node4, ready, 'back once the fault is cleared');
  });
});
