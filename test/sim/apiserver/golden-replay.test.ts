/**
 * Every recorded kube-apiserver v1.28 exchange, replayed in order against the simulated server with
 * equivalent state; compared on status, content type and body shape (kinds, reasons, codes, causes),
 * and for watches on the event types in order (a trailing run of BOOKMARKs counts as one).
 * Values that depend on time, uid or resourceVersion are not compared; where a request carries such a
 * value (a resourceVersion, a token, a continue key) the equivalent value from this server is used.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startApiServer, type SimApiServer } from '../../../sim/apiserver/index.js';
import { GOLDEN_DIR, eventTypes, loadExchanges, parseWatchLines, send, shapeOf, withQuery, type Exchange, type Outgoing } from './golden-harness.js';

/** Exchanges not replayed, with the reason. A test insists this stays empty: every recording is replayed. */
const LEFT_OUT: Record<number, string> = {};

type Json = Record<string, unknown>;

let server: SimApiServer;
const remembered: { boundToken?: string; continueKey?: string } = {};

async function admin(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<Json> {
  const r = await send(server.url, { method, path, headers: { Accept: 'application/json', 'Content-Type': contentType }, body, token: server.adminToken });
  if (r.status >= 300) throw new Error(`${method} ${path} -> ${r.status}: ${r.text}`);
  return JSON.parse(r.text) as Json;
}

const rvOf = (o: Json): string => String((o['metadata'] as Json)['resourceVersion']);
const READY = [{ type: 'Ready', status: 'True', lastProbeTime: null, lastTransitionTime: '2026-11-26T16:00:00Z' }];

function nodeBody(name: string, labels: Record<string, string> = {}): Json {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', ...labels } },
    spec: { podCIDR: '10.244.1.0/24' },
    status: { conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: '2026-11-26T16:00:00Z', lastTransitionTime: '2026-11-26T16:00:00Z' }] },
  };
}

interface PodSpec {
  ns: string;
  name: string;
  node?: string;
  labels?: Record<string, string>;
  sa?: string;
  extra?: Json;
  meta?: Json;
}

async function runningPod(p: PodSpec): Promise<Json> {
  const spec: Json = { containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.9' }], ...(p.extra ?? {}) };
  if (p.node) spec['nodeName'] = p.node;
  if (p.sa) spec['serviceAccountName'] = p.sa;
  const created = await admin('POST', `/api/v1/namespaces/${p.ns}/pods`, { apiVersion: 'v1', kind: 'Pod', metadata: { name: p.name, labels: p.labels ?? {}, ...(p.meta ?? {}) }, spec });
  if (!p.node) return created;
  return admin('PATCH', `/api/v1/namespaces/${p.ns}/pods/${p.name}/status`, { status: { phase: 'Running', conditions: READY } }, 'application/merge-patch+json');
}

async function baseState(): Promise<void> {
  for (const ns of ['golden', 'golden-pdb2']) await admin('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  await admin('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'golden-baseline', labels: { 'pod-security.kubernetes.io/enforce': 'baseline' } } });
  await admin('POST', '/api/v1/nodes', nodeBody('golden-cp', { 'node-role.kubernetes.io/control-plane': '' }));
  for (const n of ['golden-w1', 'golden-w2']) await admin('POST', '/api/v1/nodes', nodeBody(n));
  for (const n of ['golden-cp', 'golden-w1', 'golden-w2']) {
    await admin('POST', '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases', { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: n }, spec: { holderIdentity: n, leaseDurationSeconds: 40, renewTime: '2026-11-26T16:00:00.000000Z' } });
  }
  await admin('POST', '/api/v1/namespaces/golden/serviceaccounts', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'migrator' } });
  for (const name of ['web-1', 'web-2', 'web-3']) await runningPod({ ns: 'golden', name, node: 'golden-w1', labels: { app: 'web' } });
  await runningPod({ ns: 'golden', name: 'other-1', node: 'golden-w2', labels: { app: 'other' } });
  await runningPod({ ns: 'golden', name: 'unbound', labels: { app: 'unbound' } });
  await runningPod({ ns: 'golden-pdb2', name: 'db-1', node: 'golden-w1', labels: { app: 'db', tier: 'data' } });
  const pdb = (ns: string, name: string, spec: Json): Promise<Json> =>
    admin('POST', `/apis/policy/v1/namespaces/${ns}/poddisruptionbudgets`, { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name }, spec });
  await pdb('golden', 'web-pdb', { minAvailable: 2, selector: { matchLabels: { app: 'web' } } });
  await pdb('golden-pdb2', 'db-pdb-a', { minAvailable: 1, selector: { matchLabels: { app: 'db' } } });
  await pdb('golden-pdb2', 'db-pdb-b', { maxUnavailable: 1, selector: { matchLabels: { tier: 'data' } } });
}

/** State the recording had by the time of an exchange, added just before it. */
const BEFORE: Record<number, () => Promise<unknown>> = {
  24: async () => {
    const ds = await admin('GET', '/apis/apps/v1/namespaces/kube-system/daemonsets/cilium');
    const owner = { apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'cilium', uid: (ds['metadata'] as Json)['uid'], controller: true, blockOwnerDeletion: true };
    return runningPod({ ns: 'kube-system', name: 'cilium-nhvgt', node: 'golden-w1', labels: { 'k8s-app': 'cilium' }, extra: { hostNetwork: true }, meta: { ownerReferences: [owner] } });
  },
  71: async () => {
    await runningPod({ ns: 'golden', name: 'web-6', node: 'golden-w2', labels: { app: 'web' } });
    return runningPod({ ns: 'golden', name: 'cni-migrate-agent', node: 'golden-w2', sa: 'migrator' });
  },
  82: () => admin('DELETE', '/api/v1/namespaces/golden/pods/cni-migrate-agent?gracePeriodSeconds=0'),
  110: () => terminatingPod('web-7'),
  118: async () => {
    await admin('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crdAsRecorded(manifest('crd-migration.yaml'), exchange(118)));
    await admin('POST', '/apis/cni-migrate.io/v1alpha1/migrations', manifest('migration-default.yaml'));
  },
  114: async () => {
    await admin('DELETE', '/api/v1/namespaces/default/events');
    for (const [reason, at] of [['NodeCordoned', '2026-11-27T19:24:44Z'], ['MigrationHalted', '2026-11-27T19:24:45Z']]) {
      await admin('POST', '/api/v1/namespaces/default/events', {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { generateName: 'golden-w1.' },
        involvedObject: { kind: 'Node', name: 'golden-w1', uid: 'golden-w1', apiVersion: 'v1' },
        reason,
        message: `golden event ${reason}`,
        source: { component: 'cni-migrate' },
        firstTimestamp: at,
        lastTimestamp: at,
        count: 1,
        type: 'Normal',
        reportingComponent: 'cni-migrate',
      });
    }
  },
  112: () => terminatingPod('web-8'),
  120: async () => {
    // What the DaemonSet controller wrote after the restart; its zero counters must read back absent.
    const ds = await admin('GET', DS_PATH);
    const status = { currentNumberScheduled: 1, numberMisscheduled: 0, desiredNumberScheduled: 1, numberReady: 0, updatedNumberScheduled: 0, numberAvailable: 0, numberUnavailable: 1 };
    return merge(`${DS_PATH}/status`, { status: { ...status, observedGeneration: (ds['metadata'] as Json)['generation'] } });
  },
  121: () =>
    admin('POST', '/api/v1/namespaces/kube-system/configmaps', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'cilium-config' },
      data: {
        'cluster-pool-ipv4-cidr': '10.245.0.0/16', ipam: 'cluster-pool', 'routing-mode': 'tunnel', 'tunnel-port': '8473', 'tunnel-protocol': 'vxlan',
        'custom-cni-conf': 'true', 'enable-policy': 'never', 'enable-host-legacy-routing': 'true',
      },
    }),
  122: async () => {
    const names = { plural: 'installations', singular: 'installation', kind: 'Installation', listKind: 'InstallationList' };
    const schema = { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } } };
    await admin('POST', CRD_PATH, { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'installations.operator.tigera.io' }, spec: { group: 'operator.tigera.io', names, scope: 'Cluster', versions: [{ name: 'v1', served: true, storage: true, schema }] } });
    const spec = { calicoNetwork: { bgp: 'Disabled', ipPools: [{ cidr: '192.168.0.0/16', encapsulation: 'VXLAN' }] } };
    return admin('POST', '/apis/operator.tigera.io/v1/installations', { apiVersion: 'operator.tigera.io/v1', kind: 'Installation', metadata: { name: 'default', finalizers: ['tigera.io/operator-cleanup'] }, spec });
  },
  128: () => waitFor('the ippools CRD gone', async () => (await send(server.url, { method: 'GET', path: `${CRD_PATH}/ippools.crd.projectcalico.org`, headers: {}, body: null, token: server.adminToken })).status === 404),
  129: () => admin('POST', '/api/v1/namespaces/golden/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'left-behind' }, data: { a: 'b' } }),
  130: () => waitFor('namespace golden reports what remains', async () => ((await admin('GET', '/api/v1/namespaces/golden'))['status'] as Json)['conditions'] !== undefined),
  131: () =>
    admin('POST', '/api/v1/namespaces/kube-system/secrets', {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'sh.helm.release.v1.cilium.v1', labels: { name: 'cilium', owner: 'helm', status: 'deployed', version: '1' } },
      type: 'helm.sh/release.v1',
      data: (exchange(131).response.body as { items: Json[] }).items[0]?.['data'],
    }),
};

const DS_PATH = '/apis/apps/v1/namespaces/kube-system/daemonsets/cilium';
const CRD_PATH = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';

async function waitFor(description: string, probe: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`${description}: not within ${timeoutMs} ms`);
    await new Promise((r) => setImmediate(r));
  }
}

const manifest = (file: string): Json => parse(readFileSync(join(GOLDEN_DIR, '..', '..', '..', 'deploy', file), 'utf8')) as Json;

const exchange = (id: number): Exchange => {
  const ex = loadExchanges().find((e) => e.id === id);
  if (!ex) throw new Error(`no exchange ${id}`);
  return ex;
};

/** The CRD with the printer columns it had when the Table was recorded (read back from the Table's column descriptions). */
function crdAsRecorded(crd: Json, ex: Exchange): Json {
  const columns = ((ex.response.body as Json)['columnDefinitions'] as Json[]).slice(1).map((c) => ({
    name: c['name'],
    type: c['type'],
    jsonPath: String(c['description']).replace('Custom resource definition column (in JSONPath format): ', ''),
  }));
  const spec = crd['spec'] as Json;
  const versions = (spec['versions'] as Json[]).map((v) => ({ ...v, additionalPrinterColumns: columns }));
  return { ...crd, spec: { ...spec, versions } };
}

/** A pod bound to a node (no kubelet runs here) that was deleted gracefully: it stays Terminating. */
async function terminatingPod(name: string): Promise<Json> {
  const spec = { nodeName: 'golden-w1', containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.9' }] };
  await admin('POST', '/api/v1/namespaces/golden/pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { app: 'web' } }, spec });
  return admin('DELETE', `/api/v1/namespaces/golden/pods/${name}`);
}

const uidOf = (o: Json): string => String((o['metadata'] as Json)['uid']);

function tokenFor(id: number): string | undefined {
  if (id === 77 || id === 78) return server.issueServiceAccountToken(SA);
  if (id === 79) return server.issueServiceAccountToken({ ...SA, audiences: ['cni-migrate'] });
  if (id === 80) return 'garbage';
  if (id === 81) return undefined;
  return server.adminToken;
}

const withRv = (body: unknown, rv: string): Json => {
  const b = body as Json;
  return { ...b, metadata: { ...(b['metadata'] as Json), resourceVersion: rv } };
};

const withToken = (body: unknown, token: string): Json => {
  const b = body as Json;
  return { ...b, spec: { ...(b['spec'] as Json), token } };
};

const SA = { namespace: 'golden', serviceAccount: 'migrator' };

/** Request bodies that carry a resourceVersion or a token get this server's equivalent. */
const BODY_REWRITES: Record<number, (body: unknown) => Promise<unknown>> = {
  20: async (body) => withRv(body, '1'),
  52: async (body) => withRv(body, '1'),
  21: async (body) => withRv(body, rvOf(await admin('GET', '/api/v1/nodes/golden-w2'))),
  51: async (body) => withRv(body, rvOf(await admin('GET', '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/golden-cni-migration'))),
  73: async (body) => withToken(body, remembered.boundToken ?? ''),
  82: async (body) => withToken(body, remembered.boundToken ?? ''),
  74: async (body) => withToken(body, server.issueServiceAccountToken({ ...SA, audiences: ['cni-migrate'] })),
  75: async (body) => withToken(body, server.issueServiceAccountToken(SA)),
  110: async (body) => ({ ...(body as Json), preconditions: { uid: uidOf(await admin('GET', '/api/v1/namespaces/golden/pods/web-7')) } }),
  112: async (body) => ({ ...(body as Json), preconditions: { uid: uidOf(await admin('GET', '/api/v1/namespaces/golden/pods/web-8')) } }),
  99: async (body) => {
    const rv = rvOf(await admin('GET', '/api/v1/nodes/golden-w2'));
    return (body as Json[]).map((op) => (op['path'] === '/metadata/resourceVersion' ? { ...op, value: rv } : op));
  },
};

const bodyFor = (ex: Exchange): Promise<unknown> => BODY_REWRITES[ex.id]?.(ex.request.body) ?? Promise.resolve(ex.request.body);

function pathFor(ex: Exchange): string {
  if (ex.id === 97) return withQuery(ex.request.path, 'continue', remembered.continueKey ?? '');
  return ex.request.path;
}

function remember(ex: Exchange, text: string): void {
  const body = JSON.parse(text) as Json;
  if (ex.id === 72) remembered.boundToken = String((body['status'] as Json)['token']);
  if (ex.id === 96) remembered.continueKey = String((body['metadata'] as Json)['continue']);
}

const merge = (path: string, body: Json): Promise<Json> => admin('PATCH', path, body, 'application/merge-patch+json');

/** The writes made during each recorded watch, as this server's equivalent actions. */
const WATCH_ACTIONS: Record<number, { list: string; act: () => Promise<void> }> = {
  4: {
    list: '/api/v1/nodes',
    act: async () => {
      const w1 = '/api/v1/nodes/golden-w1';
      await merge(w1, { metadata: { labels: { 'io.cilium.migration/cilium-default': 'true' } } });
      await merge(w1, { spec: { unschedulable: true } });
      await merge(w1, { spec: { taints: [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }] } });
      await admin('POST', '/api/v1/nodes', nodeBody('golden-w3'));
      for (const step of [1, 2, 3, 4]) await merge('/api/v1/nodes/golden-w3', { metadata: { annotations: { step: String(step) } } });
      await admin('DELETE', '/api/v1/nodes/golden-w3');
      await merge(w1, { spec: { unschedulable: null } });
      await merge(w1, { spec: { taints: null } });
      await merge(w1, { metadata: { labels: { 'io.cilium.migration/cilium-default': null } } });
    },
  },
  95: {
    list: '/api/v1/pods',
    act: async () => {
      await admin('POST', '/api/v1/namespaces/golden/pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'job-1' }, spec: { nodeName: 'golden-w2', containers: [{ name: 'c', image: 'x' }] } });
      await admin('DELETE', '/api/v1/namespaces/golden/pods/job-1');
      await admin('DELETE', '/api/v1/namespaces/golden/pods/job-1?gracePeriodSeconds=0');
    },
  },
};

async function replayWatch(ex: Exchange): Promise<{ status: number; contentType: string; types: string[] }> {
  const plan = WATCH_ACTIONS[ex.id];
  let path = withQuery(ex.request.path, 'timeoutSeconds', '3');
  if (plan) path = withQuery(path, 'resourceVersion', rvOf(await admin('GET', plan.list)));
  const res = await fetch(`${server.url}${path}`, { headers: { Accept: 'application/json', Authorization: `Bearer ${server.adminToken}` } });
  if (plan) await plan.act();
  const types = eventTypes(parseWatchLines(await res.text()));
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', types };
}

const namesOf = (body: Json): string[] =>
  (body['items'] as Json[]).map((i) => String((i['metadata'] as Json)['generateName'] ?? (i['metadata'] as Json)['name'])).sort();
const statusOf = (body: Json): Json => (body['status'] ?? {}) as Json;

/** Beyond the shape: what some exchanges pin down, compared between the recording and this server. */
const DETAIL: Record<number, (body: Json) => unknown> = {
  // the listed items one for one (by name, generated suffixes dropped)
  114: namesOf,
  115: namesOf,
  131: namesOf,
  // generation bumped by the template change; zero status counters absent
  119: (b) => ({ annotation: ((b['metadata'] as Json)['annotations'] as Json)['deprecated.daemonset.template.generation'] !== undefined }),
  120: (b) => Object.keys(statusOf(b)).sort(),
  // the merge patch's keys set and removed
  121: (b) => Object.keys(b['data'] as Json).sort(),
  // the namespace controller's conditions while a pod remains
  130: (b) => ({ phase: statusOf(b)['phase'], conditions: (statusOf(b)['conditions'] as Json[]).map((c) => `${String(c['type'])}=${String(c['status'])}/${String(c['reason'])}`).sort() }),
};

async function replay(ex: Exchange): Promise<void> {
  await BEFORE[ex.id]?.();
  if (ex.response.events) {
    const got = await replayWatch(ex);
    const want = { status: ex.response.status, contentType: ex.response.headers['Content-Type'], types: eventTypes(ex.response.events) };
    expect(got).toEqual(want);
    return;
  }
  const out: Outgoing = { method: ex.request.method, path: pathFor(ex), headers: ex.request.headers, body: await bodyFor(ex), token: tokenFor(ex.id) };
  const got = await send(server.url, out);
  if (ex.response.bodyText !== undefined) {
    expect({ status: got.status, contentType: got.contentType, text: got.text }).toEqual({
      status: ex.response.status,
      contentType: ex.response.headers['Content-Type'],
      text: ex.response.bodyText,
    });
    return;
  }
  if (got.status < 300) remember(ex, got.text);
  expect({ status: got.status, contentType: got.contentType, shape: shapeOf(JSON.parse(got.text)) }).toEqual({
    status: ex.response.status,
    contentType: ex.response.headers['Content-Type'],
    shape: shapeOf(ex.response.body),
  });
  if ((ex.notes ?? []).some((n) => n.includes('Warning:'))) expect(got.warning).not.toBeNull();
  const detail = DETAIL[ex.id];
  if (detail) expect(detail(JSON.parse(got.text) as Json)).toEqual(detail(ex.response.body as Json));
}

describe('golden replay against the simulated API server', () => {
  const exchanges = loadExchanges();

  beforeAll(async () => {
    server = await startApiServer();
    await baseState();
  });
  afterAll(async () => {
    await server.close();
  });

  it('when the fixtures are loaded, then every one of them is replayed below (none left out)', () => {
    expect(exchanges.length).toBeGreaterThanOrEqual(132);
    expect(LEFT_OUT).toEqual({});
  });

  for (const ex of exchanges.filter((e) => LEFT_OUT[e.id] === undefined)) {
    it(`when ${ex.request.method} ${ex.request.path.slice(0, 90)} is replayed (${ex.file}), then status, content type and shape match`, async () => {
      await replay(ex);
    });
  }
});
