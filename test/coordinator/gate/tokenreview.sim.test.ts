/**
 * The gate with the real TokenReview authenticator against the simulated API server, through the
 * deploy/ RBAC: the coordinator reviews tokens with its own ServiceAccount's token.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import {
  createGateRouter,
  createTokenReviewAuthenticator,
  kubeAuthApi,
  startGateServer,
  type GateServer,
} from '../../../coordinator/gate/index.js';
import { silentLogger } from '../../../shared/logger.js';
import { startApiServer, type SimApiServer } from '../../../sim/apiserver/index.js';
import { readDeployManifests } from '../../../sim/demo/deploy-manifests.js';
import { RecordingDirectory } from './fakes.js';

const NS = 'cni-migrate';
const BOOT = '0b0e1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d';
const heartbeat = (nodeName: string, podName: string) => ({
  nodeName,
  podName,
  bootId: BOOT,
  kernel: '6.1.0',
  iptablesBackends: [],
  calicoLeftovers: false,
});

let api: SimApiServer;
let gate: GateServer;
const directory = new RecordingDirectory();
const tokens: Record<string, string> = {};

const createPod = async (name: string, nodeName: string, serviceAccountName: string): Promise<string> => {
  const applied = api.applyManifests([
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: NS },
      spec: { nodeName, serviceAccountName, containers: [{ name: 'agent', image: 'agent:0' }] },
    },
  ]);
  const meta = applied[0]?.metadata as { uid: string };
  return meta.uid;
};

const tokenReviews = (): number =>
  api
    .requestCounts()
    .filter((c) => c.resource === 'tokenreviews')
    .reduce((n, c) => n + c.count, 0);

beforeAll(async () => {
  api = await startApiServer();
  api.applyManifests(await readDeployManifests('deploy'));
  const agentA = await createPod('agent-a', 'node-a', 'cni-migrate-agent');
  const agentB = await createPod('agent-b', 'node-b', 'cni-migrate-agent');
  const coordinatorUid = await createPod('coordinator-x', 'node-a', 'cni-migrate-coordinator');
  const agentToken = (pod: string, uid: string, audiences = ['cni-migrate']) =>
    api.issueServiceAccountToken({ namespace: NS, serviceAccount: 'cni-migrate-agent', audiences, boundPod: { name: pod, uid } });
  tokens.a = agentToken('agent-a', agentA);
  tokens.b = agentToken('agent-b', agentB);
  tokens.wrongAudience = agentToken('agent-a', agentA, ['https://kubernetes.default.svc.cluster.local']);
  tokens.wrongSa = api.issueServiceAccountToken({
    namespace: NS,
    serviceAccount: 'cni-migrate-coordinator',
    audiences: ['cni-migrate'],
    boundPod: { name: 'coordinator-x', uid: coordinatorUid },
  });
  tokens.fresh = agentToken('agent-a', agentA, ['cni-migrate', 'long-polls']);
  tokens.unbound = api.issueServiceAccountToken({ namespace: NS, serviceAccount: 'cni-migrate-agent', audiences: ['cni-migrate'] });
  const coordinatorKc = api.kubeConfig({
    token: api.issueServiceAccountToken({ namespace: NS, serviceAccount: 'cni-migrate-coordinator' }),
  });
  const auth = createTokenReviewAuthenticator({
    api: kubeAuthApi(coordinatorKc),
    rules: { namespace: NS, serviceAccount: 'cni-migrate-agent', audience: 'cni-migrate' },
    cacheSeconds: 30,
    log: silentLogger(),
  });
  gate = await startGateServer(createGateRouter({ directory, auth, log: silentLogger() }));
});
afterAll(async () => {
  await gate.close();
  await api.close();
});
beforeEach(() => {
  directory.calls = [];
});

const post = async (path: string, token: string | undefined, body: unknown) => {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  const res = await fetch(`${gate.url}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
  return res.status;
};

describe('gate with TokenReview against the simulated API server', () => {
  it('when the agent on node-a heartbeats twice, then both pass and only one TokenReview was made', async () => {
    const before = tokenReviews();
    expect(await post('/v1/heartbeat', tokens.a, heartbeat('node-a', 'agent-a'))).toBe(200);
    expect(await post('/v1/heartbeat', tokens.a, heartbeat('node-a', 'agent-a'))).toBe(200);
    expect(tokenReviews() - before).toBe(1);
    expect(directory.calls).toEqual(['heartbeat node-a', 'heartbeat node-a']);
  });

  it.each([
    { what: 'no token', token: undefined, pod: 'agent-a', node: 'node-a', status: 401 },
    { what: 'a garbage token', token: 'garbage', pod: 'agent-a', node: 'node-a', status: 401 },
    { what: 'a token for the API audience', token: 'wrongAudience', pod: 'agent-a', node: 'node-a', status: 401 },
    { what: 'the coordinator ServiceAccount', token: 'wrongSa', pod: 'coordinator-x', node: 'node-a', status: 403 },
    { what: 'a token bound to no pod', token: 'unbound', pod: 'agent-a', node: 'node-a', status: 403 },
    { what: "another node's name", token: 'a', pod: 'agent-a', node: 'node-b', status: 403 },
    { what: 'a pod that runs on another node', token: 'b', pod: 'agent-b', node: 'node-a', status: 403 },
  ])('when the request carries $what, then $status and nothing changes', async ({ token, pod, node, status }) => {
    const bearer = token === undefined ? undefined : (tokens[token] ?? token);
    expect(await post('/v1/heartbeat', bearer, heartbeat(node, pod))).toBe(status);
    expect(directory.calls).toEqual([]);
  });

  it('when the TokenReview and the read of the agent pod each answer 503 once, then the request passes', async () => {
    const uid = await createPod('agent-c', 'node-c', 'cni-migrate-agent');
    const token = api.issueServiceAccountToken({ namespace: NS, serviceAccount: 'cni-migrate-agent', audiences: ['cni-migrate'], boundPod: { name: 'agent-c', uid } });
    const ids = [
      api.faults.add({ match: { resource: 'tokenreviews' }, error: 503, times: 1 }),
      api.faults.add({ match: { resource: 'pods', verb: 'get' }, error: 503, times: 1 }),
    ];
    try {
      expect(await post('/v1/heartbeat', token, heartbeat('node-c', 'agent-c'))).toBe(200);
      expect(api.faults.injected()).toBe(2);
      expect(directory.calls).toEqual(['heartbeat node-c']);
    } finally {
      ids.forEach((id) => api.faults.remove(id));
    }
  });

  it('when the body is bad or huge, then 400 / 413 and nothing changes', async () => {
    expect(await post('/v1/heartbeat', tokens.a, { ...heartbeat('node-a', 'agent-a'), bootId: 'x' })).toBe(400);
    expect(await post('/v1/heartbeat', tokens.a, { ...heartbeat('node-a', 'agent-a'), kernel: 'k'.repeat(70_000) })).toBe(413);
    expect(directory.calls).toEqual([]);
  });

  it('when 300 long-polls bring one valid token at once, then a single TokenReview answers them all', async () => {
    const before = tokenReviews();
    const headers = { authorization: `Bearer ${tokens.fresh}` };
    const polls = Array.from({ length: 300 }, () => fetch(`${gate.url}/v1/nodes/node-a/order?waitSeconds=1`, { headers }).then((r) => r.status));
    expect(new Set(await Promise.all(polls))).toEqual(new Set([200]));
    expect(tokenReviews() - before).toBe(1);
  });

  it('when 300 garbage tokens arrive from one address, then most are refused (429) without a TokenReview', async () => {
    const before = tokenReviews();
    const started = Date.now();
    const statuses: number[] = [];
    for (let batch = 0; batch < 2; batch += 1) {
      const sent = Array.from({ length: 150 }, (_, i) => post('/v1/heartbeat', `garbage-${batch}-${i}`, heartbeat('node-a', 'agent-a')));
      statuses.push(...(await Promise.all(sent)));
    }
    const seconds = (Date.now() - started) / 1000;
    const reviews = tokenReviews() - before;
    expect(reviews).toBeLessThanOrEqual(100 + Math.ceil(20 * seconds));
    expect(statuses.filter((s) => s === 429).length).toBe(300 - reviews);
    expect(statuses.filter((s) => s === 401).length).toBe(reviews);
    expect(directory.calls).toEqual([]);
  });
});
