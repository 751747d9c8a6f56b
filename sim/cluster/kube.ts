/**
 * The thin edge to the Kubernetes API: typed clients built from one KubeConfig, the merge-patch option,
 * and predicates over the client's errors. Everything in the simulated cluster talks to the API through here.
 */
import http from 'node:http';
import {
  ApiextensionsV1Api,
  AppsV1Api,
  CoordinationV1Api,
  CoreV1Api,
  createConfiguration,
  CustomObjectsApi,
  Observable,
  PatchStrategy,
  PolicyV1Api,
  ResponseContext,
  ServerConfiguration,
  setHeaderOptions,
  type ApiConstructor,
  type ApiType,
  type ConfigurationOptions,
  type KubeConfig,
  type Middleware,
  type ObservableMiddleware,
} from '@kubernetes/client-node';
import { httpStatusOf } from '../../shared/http-status.js';

export interface KubeClients {
  kc: KubeConfig;
  core: CoreV1Api;
  apps: AppsV1Api;
  coordination: CoordinationV1Api;
  extensions: ApiextensionsV1Api;
  custom: CustomObjectsApi;
  policy: PolicyV1Api;
}

/**
 * Over plain HTTP (the embedded API server), the simulated kubelets and controllers send every call over one
 * pool of kept-alive connections, as client-go does; client-node opens a new connection per call, and at a
 * thousand nodes the connects, accepts and closes cost the simulated cluster as much as the calls themselves.
 * Over HTTPS each call keeps the client's own agent (its TLS settings are the kubeconfig's).
 */
function apiMaker(kc: KubeConfig): <T extends ApiType>(api: ApiConstructor<T>) => T {
  const server = kc.getCurrentCluster()?.server ?? '';
  if (!server.startsWith('http:')) return (api) => kc.makeApiClient(api);
  const agent = new http.Agent({ keepAlive: true });
  const reuse: Middleware = {
    pre: (ctx) => {
      ctx.setAgent(agent);
      return Promise.resolve(ctx);
    },
    post: (res) => Promise.resolve(res),
  };
  const config = createConfiguration({ baseServer: new ServerConfiguration(server, {}), authMethods: { default: kc }, promiseMiddleware: [reuse] });
  return (api) => new api(config);
}

export function kubeClients(kc: KubeConfig): KubeClients {
  const make = apiMaker(kc);
  return {
    kc,
    core: make(CoreV1Api),
    apps: make(AppsV1Api),
    coordination: make(CoordinationV1Api),
    extensions: make(ApiextensionsV1Api),
    custom: make(CustomObjectsApi),
    policy: make(PolicyV1Api),
  };
}

/** Options that make a client-node patch call send a JSON merge patch. */
export const mergePatch = () => setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

type CallOptions = ConfigurationOptions<ObservableMiddleware>;

const EMPTY_OBJECT = '{}';

/** A successful answer read to its end (the connection serves the next call) and handed on as an empty object. */
async function undecoded(res: ResponseContext): Promise<ResponseContext> {
  if (res.httpStatusCode < 200 || res.httpStatusCode > 299) return res;
  await res.body.binary();
  return new ResponseContext(res.httpStatusCode, res.headers, { text: () => Promise.resolve(EMPTY_OBJECT), binary: () => Promise.resolve(Buffer.from(EMPTY_OBJECT)) });
}

const leaveAnswerUndecoded: ObservableMiddleware = {
  pre: (ctx) => new Observable(Promise.resolve(ctx)),
  post: (res) => new Observable(undecoded(res)),
};

/**
 * Sends a write whose answer the caller does not read (a kubelet's status report, a controller's status or pod
 * write: what they need comes back through their informers). The request and the server's answer are the same;
 * only the client's decoding of the object in a successful answer into typed objects is skipped, which cost the
 * simulated cluster more CPU than any of its own work at a thousand nodes. A failure throws as before, decoded.
 */
export async function write(call: (options: CallOptions) => Promise<unknown>, options?: CallOptions): Promise<void> {
  await call({ ...options, middleware: [...(options?.middleware ?? []), leaveAnswerUndecoded], middlewareMergeStrategy: 'append' });
}

export const isNotFound = (e: unknown): boolean => httpStatusOf(e) === 404;
export const isAlreadyExists = (e: unknown): boolean => httpStatusOf(e) === 409;

/** Run a create call; an AlreadyExists answer counts as success (seeding and registration are idempotent). */
export async function createIfAbsent(create: () => Promise<unknown>): Promise<void> {
  try {
    await create();
  } catch (e) {
    if (!isAlreadyExists(e)) throw e;
  }
}

/** Run a call on an object that may be gone already; NotFound counts as nothing to do. */
export async function ignoreNotFound(call: () => Promise<unknown>): Promise<void> {
  try {
    await call();
  } catch (e) {
    if (!isNotFound(e)) throw e;
  }
}

/** Run a delete call; NotFound counts as success (the object is already gone). */
export const deleteIfPresent = ignoreNotFound;
