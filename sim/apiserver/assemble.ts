/**
 * Wiring: the store, the watch cache, the served resources, auth, accounting, faults, the write-path
 * hooks and the in-server controllers (garbage collector, namespaces, PDB status, CRDs), as one unit.
 */
import type { Logger } from '../../shared/logger.js';
import { RequestAccounting } from './accounting.js';
import { ApiCallLog } from './call-log.js';
import { Authenticator } from './auth.js';
import { defaultUid, type ApiContext } from './context.js';
import { createObject, replaceObject } from './crud.js';
import { serveOpenApi } from './openapi.js';
import { discover } from './discovery.js';
import { FaultInjector, type FaultControls } from './faults.js';
import type { SubresourceHandler } from './handlers.js';
import type { Edge } from './http-server.js';
import { metaOf, nameOf, namespaceOf, strAt, type Obj } from './json.js';
import { toStored } from './present.js';
import { ResourceRegistry, apiVersionOf } from './resources.js';
import { badRequest } from './status.js';
import { ObjectStore } from './store.js';
import { issueToken, tokenRequestHandler, tokenReviewHandler, type IssueOptions } from './token-api.js';
import { WatchHub } from './watch-hub.js';
import type { WatchRegistry } from './watch.js';
import { installControllers } from './controllers.js';

/** The RV a fresh server starts at; watches from below it are expired (like a fresh watch cache). */
const INITIAL_RV = 100;
const BOOTSTRAP_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

/**
 * `default/kubernetes`, which every kube-apiserver keeps: the first address of its Service CIDR (kubeadm's
 * default 10.96.0.0/12, as the seeded kubeadm-config says) on port 443 in front of the API's own port.
 */
const KUBERNETES_SERVICE: Obj = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } },
  spec: {
    type: 'ClusterIP',
    clusterIP: '10.96.0.1',
    clusterIPs: ['10.96.0.1'],
    ipFamilies: ['IPv4'],
    ipFamilyPolicy: 'SingleStack',
    internalTrafficPolicy: 'Cluster',
    sessionAffinity: 'None',
    ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }],
  },
};

export interface AssembleOptions {
  watchHistory: number;
  bookmarkIntervalMs: number;
  log: Logger;
}

export interface ServerParts {
  edge: Edge;
  auth: Authenticator;
  accounting: RequestAccounting;
  calls: ApiCallLog;
  faultControls: FaultControls;
  issueToken(o: IssueOptions): string;
  applyManifests(objects: Obj[]): Obj[];
  setAddress(address: string): void;
  shutdown(): void;
}

function faultControlsOf(faults: FaultInjector, watches: WatchRegistry): FaultControls {
  return {
    add: (rule) => faults.add(rule),
    remove: (id) => faults.remove(id),
    clear: () => faults.clear(),
    seed: (s) => faults.seed(s),
    injected: () => faults.injected(),
    dropWatches: (filter) => {
      const chosen = [...watches].filter(
        (w) => (filter?.caller === undefined || w.caller === filter.caller) && (filter?.resource === undefined || w.storage.endsWith(`/${filter.resource}`)),
      );
      chosen.forEach((w) => w.close());
      return chosen.length;
    },
  };
}

function applyOne(ctx: ApiContext, obj: Obj): Obj {
  const def = ctx.registry.all().find((d) => apiVersionOf(d) === strAt(obj, 'apiVersion') && d.kind === strAt(obj, 'kind'));
  if (!def) throw badRequest(`no resource serves ${strAt(obj, 'apiVersion') ?? '?'} ${strAt(obj, 'kind') ?? '?'}`);
  const ns = def.namespaced ? namespaceOf(obj) || 'default' : undefined;
  const opts = { dryRun: false, strict: false };
  const existing = ctx.store.get(def.storage, ns ?? '', nameOf(obj));
  if (!existing) return createObject(ctx, def, { ns, body: obj }, opts).obj;
  const incoming = toStored(def, { ...obj, metadata: { ...metaOf(obj), resourceVersion: undefined } });
  return replaceObject(ctx, def, { ns, name: nameOf(obj), subresource: undefined, opts }, incoming).obj;
}

export function assemble(opts: AssembleOptions): ServerParts {
  const store = new ObjectStore(INITIAL_RV);
  const hub = new WatchHub(opts.watchHistory, INITIAL_RV);
  store.onChange((storage, ev) => hub.record(storage, ev));
  const ctx: ApiContext = { store, hub, registry: new ResourceRegistry(), log: opts.log, now: () => new Date(), newUid: defaultUid, admission: [], deleteHooks: new Map(), orphanDependents: () => undefined };
  const auth = new Authenticator(ctx);
  const faults = new FaultInjector();
  const watches: WatchRegistry = new Set();
  const subresources = new Map<string, SubresourceHandler>([
    ['/serviceaccounts/token', tokenRequestHandler(auth)],
    ['authentication.k8s.io/tokenreviews/', tokenReviewHandler(auth)],
  ]);
  const controllers = installControllers(ctx, subresources);
  let address = '127.0.0.1:6443';
  const edge: Edge = {
    ctx, auth, accounting: new RequestAccounting(), calls: new ApiCallLog(), faults, watches, subresources,
    timing: { bookmarkIntervalMs: opts.bookmarkIntervalMs, defaultTimeoutSeconds: 1800 },
    discovery: (req, accept) => discover(ctx.registry, address, req, accept) ?? serveOpenApi(ctx.registry, req, accept),
  };
  for (const ns of BOOTSTRAP_NAMESPACES) applyOne(ctx, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  applyOne(ctx, KUBERNETES_SERVICE);
  return {
    edge,
    auth,
    accounting: edge.accounting,
    calls: edge.calls,
    faultControls: faultControlsOf(faults, watches),
    issueToken: (o) => issueToken(ctx, auth, o),
    applyManifests: (objects) => objects.map((o) => applyOne(ctx, o)),
    setAddress: (a) => {
      address = a;
    },
    shutdown: () => controllers.stop(),
  };
}
