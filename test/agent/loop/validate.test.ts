/**
 * The validate order: the check pod is created in the agent's namespace (owned by the agent pod), watched
 * to termination, its report judged, and the pod deleted; against a fake pod API and against the
 * simulated API server with the agent's own ServiceAccount token (deploy/ RBAC).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CoreV1Api, type V1Pod } from '@kubernetes/client-node';
import { kubeCheckPods, type CheckPodApi, type CheckPodOutcome } from '../../../agent/kube/check-pod-api.js';
import { runValidateOrder } from '../../../agent/orders/validate.js';
import { checkPodName, type ValidateOrder } from '../../../agent/checks/check-pod.js';
import type { CheckReport } from '../../../shared/checks.js';
import { silentLogger } from '../../../shared/logger.js';
import { startApiServer, type SimApiServer } from '../../../sim/apiserver/index.js';
import { readDeployManifests } from '../../../sim/demo/deploy-manifests.js';
import { waitFor } from '../../support/wait-for.js';

const order: ValidateOrder = {
  kind: 'validate',
  id: 'v-1',
  expectedCidr: '10.245.0.0/16',
  peers: ['10.245.1.7'],
  dnsName: 'kubernetes.default.svc.cluster.local',
  timeoutSeconds: 2,
};

const passing: CheckReport = {
  version: 1,
  podIP: '10.245.0.9',
  results: [
    { check: 'pod-cidr', target: '10.245.0.0/16', ok: true, latencyMs: 0, detail: '10.245.0.9' },
    { check: 'api', target: 'https://10.96.0.1', ok: true, latencyMs: 3, detail: '200' },
    { check: 'ping', target: '10.245.1.7', ok: true, latencyMs: 1, detail: 'ok' },
    { check: 'dns', target: 'kubernetes.default.svc.cluster.local', ok: true, latencyMs: 2, detail: '10.96.0.1' },
  ],
};
const dnsBroken: CheckReport = {
  ...passing,
  results: passing.results.map((r) => (r.check === 'dns' ? { ...r, ok: false, detail: 'timed out' } : r)),
};

function fakePods(outcome: CheckPodOutcome | Error): CheckPodApi & { log: string[]; created: V1Pod[] } {
  return {
    log: [],
    created: [],
    async create(pod) {
      this.created.push(pod);
      this.log.push(`create ${pod.metadata?.name}`);
    },
    async waitForTermination(name) {
      this.log.push(`wait ${name}`);
      if (outcome instanceof Error) throw outcome;
      return outcome;
    },
    async remove(name) {
      this.log.push(`delete ${name}`);
    },
  };
}

const deps = (pods: CheckPodApi) => ({
  pods,
  nodeName: 'node-a',
  namespace: 'cni-migrate',
  ownerPod: { name: 'agent-a', uid: 'uid-a' },
  image: 'netshoot:test',
  log: silentLogger(),
});

describe('validate order with a fake pod API', () => {
  it("when the order names an image, then the check pod runs it instead of the agent's default", async () => {
    const pods = fakePods({ message: JSON.stringify(passing), phase: 'Succeeded' });
    await runValidateOrder(deps(pods), { ...order, image: 'reg/netshoot:pinned' });
    await runValidateOrder(deps(pods), order);
    expect(pods.created.map((p) => p.spec?.containers[0]?.image)).toEqual(['reg/netshoot:pinned', 'netshoot:test']);
  });

  it.each([
    ['every check passes', { message: JSON.stringify(passing), phase: 'Succeeded' }, 'succeeded', ''],
    ['DNS fails', { message: JSON.stringify(dnsBroken), phase: 'Failed' }, 'failed', 'dns'],
    ['the pod wrote no report', { message: '', phase: 'Failed' }, 'failed', 'without a report'],
    ['the report is garbage', { message: 'segfault', phase: 'Failed' }, 'failed', 'not JSON'],
    ['the watch times out', new Error('check pod: deadline of 38s passed'), 'failed', 'deadline'],
  ])('when %s, then the outcome is right and the pod is deleted', async (_what, outcome, expected, why) => {
    const pods = fakePods(outcome);
    const result = await runValidateOrder(deps(pods), order);
    expect(result.outcome).toBe(expected);
    expect(result.message).toContain(why);
    const name = pods.created[0]?.metadata?.name ?? '';
    expect(pods.log).toEqual([`create ${name}`, `wait ${name}`, `delete ${name}`]);
    expect(pods.created[0]?.spec?.nodeName).toBe('node-a');
    expect(pods.created[0]?.metadata?.ownerReferences?.[0]).toMatchObject({ name: 'agent-a', uid: 'uid-a' });
  });

  it('when every check passes, then the report travels with the result', async () => {
    const result = await runValidateOrder(deps(fakePods({ message: JSON.stringify(passing), phase: 'Succeeded' })), order);
    expect(result.checks).toEqual(passing);
  });
});

describe('validate order against the simulated API server', () => {
  let api: SimApiServer;
  let admin: CoreV1Api;
  let agentPods: CheckPodApi;
  let ownerUid = '';

  beforeAll(async () => {
    api = await startApiServer();
    api.applyManifests(await readDeployManifests('deploy'));
    const [agentPod] = api.applyManifests([
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'agent-a', namespace: 'cni-migrate' },
        spec: { nodeName: 'node-a', serviceAccountName: 'cni-migrate-agent', containers: [{ name: 'a', image: 'a' }] },
      },
    ]);
    ownerUid = (agentPod?.metadata as { uid: string }).uid;
    const agentToken = api.issueServiceAccountToken({
      namespace: 'cni-migrate',
      serviceAccount: 'cni-migrate-agent',
      boundPod: { name: 'agent-a', uid: ownerUid },
    });
    agentPods = kubeCheckPods(api.kubeConfig({ token: agentToken }), 'cni-migrate');
    admin = api.kubeConfig().makeApiClient(CoreV1Api);
  });
  afterAll(() => api.close());

  /** Plays the kubelet: once the check pod exists, it terminates with `message`. */
  async function kubeletFinishes(message: string): Promise<void> {
    const list = async () =>
      (await admin.listNamespacedPod({ namespace: 'cni-migrate', labelSelector: 'app.kubernetes.io/component=validation-check' }))
        .items;
    const pod: V1Pod = await waitFor('the check pod to be created', async () => (await list())[0]);
    const name = pod.metadata?.name ?? '';
    await admin.replaceNamespacedPodStatus({
      namespace: 'cni-migrate',
      name,
      body: {
        ...pod,
        status: {
          phase: 'Failed',
          containerStatuses: [
            {
              name: 'check',
              image: 'netshoot:test',
              imageID: '',
              ready: false,
              restartCount: 0,
              state: { terminated: { exitCode: 1, message, reason: 'Error' } },
            },
          ],
        },
      },
    });
  }

  it('when the kubelet reports a DNS failure, then the agent reports failed with the report and deletes the pod', async () => {
    const running = runValidateOrder({ ...deps(agentPods), ownerPod: { name: 'agent-a', uid: ownerUid } }, order);
    await kubeletFinishes(JSON.stringify(dnsBroken));
    const result = await running;
    expect(result.outcome).toBe('failed');
    expect(result.checks?.results.find((r) => r.check === 'dns')?.ok).toBe(false);
    // The delete goes out behind the result.
    const left = async (): Promise<number> => (await admin.listNamespacedPod({ namespace: 'cni-migrate', labelSelector: 'app.kubernetes.io/component=validation-check' })).items.length;
    await waitFor('the check pod deleted', async () => (await left()) === 0, { timeoutMs: 30_000 });
  });

  const AGENT = 'system:serviceaccount:cni-migrate:cni-migrate-agent';

  it('when a create and a read answer 5xx and the watch is cut, then the agent retries and the validation still passes', async () => {
    const ids = [
      api.faults.add({ match: { caller: AGENT, verb: 'create', resource: 'pods' }, error: 503, times: 1 }),
      api.faults.add({ match: { caller: AGENT, verb: 'get', resource: 'pods' }, error: 500, times: 1 }),
      api.faults.add({ match: { caller: AGENT, verb: 'watch', resource: 'pods' }, dropWatch: true, times: 2 }),
    ];
    try {
      const running = runValidateOrder({ ...deps(agentPods), ownerPod: { name: 'agent-a', uid: ownerUid } }, { ...order, id: 'v-faults' });
      await kubeletFinishes(JSON.stringify(passing));
      expect(await running).toMatchObject({ outcome: 'succeeded' });
    } finally {
      ids.forEach((id) => api.faults.remove(id));
    }
  });

  it("when a pod of the check pod's name exists but is not this agent's, then the validation fails naming the conflict", async () => {
    const mine = { ...order, id: 'v-taken' };
    api.applyManifests([
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: checkPodName('node-a', mine.id), namespace: 'cni-migrate' },
        spec: { nodeName: 'node-a', containers: [{ name: 'x', image: 'x' }] },
      },
    ]);
    const result = await runValidateOrder({ ...deps(agentPods), ownerPod: { name: 'agent-a', uid: ownerUid } }, mine);
    expect(result).toMatchObject({ outcome: 'failed', message: expect.stringContaining("is not this agent's check pod") });
    await admin.deleteNamespacedPod({ namespace: 'cni-migrate', name: checkPodName('node-a', mine.id), gracePeriodSeconds: 0 });
  });

  it("when the check pod never finishes, then the agent gives up before the coordinator's deadline and says why", async () => {
    const notAfter = new Date(Date.now() + 5000).toISOString();
    const result = await runValidateOrder({ ...deps(agentPods), ownerPod: { name: 'agent-a', uid: ownerUid } }, { ...order, id: 'v-slow', notAfter });
    expect(Date.now()).toBeLessThan(Date.parse(notAfter));
    expect(result).toMatchObject({ outcome: 'failed', message: expect.stringContaining('deadline') });
  });
});
