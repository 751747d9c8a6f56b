/**
 * The coordinator's long-running mode: one HTTP port serving /healthz, /readyz, /metrics and the agent
 * API (the gate), then the migration engine (leader election, grants, the reconcile loop).
 */
import { hostname } from 'node:os';
import express, { type Router } from 'express';
import type { CoordinatorConfig } from '../shared/config.js';
import { CniMigrateError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import { VERSION } from '../shared/version.js';
import type { AgentDirectory } from './ports.js';
import { startEngine, type Engine } from './engine/engine.js';
import { loadKubeConfig } from './kube/kubeconfig.js';
import { createGateRouter, createTokenReviewAuthenticator, kubeAuthApi, startGateServer } from './gate/index.js';

export interface CoordinatorDeps {
  config: CoordinatorConfig;
  log: Logger;
  stop: Promise<unknown>;
}

/** An AgentDirectory that forwards to the engine once it runs (the HTTP server starts first). */
export function forwardingDirectory(engine: () => AgentDirectory | undefined): AgentDirectory {
  const get = (): AgentDirectory => {
    const e = engine();
    if (!e) throw new CniMigrateError('Unavailable', 'the coordinator is starting; retry shortly');
    return e;
  };
  return {
    register: (req) => get().register(req),
    heartbeat: (hb) => get().heartbeat(hb),
    order: (node, after, signal) => get().order(node, after, signal),
    result: (res) => get().result(res),
  };
}

/**
 * Why this replica should get no traffic, if so. Only the leader is Ready (the Service then routes agents to
 * it), and leading means its Lease was renewed within two thirds of the Lease duration, so the API server
 * answered recently: a leader cut off from the API steps down and turns unready with it.
 */
export function notReadyBecause(engine: Engine | undefined): string | undefined {
  if (!engine) return 'starting';
  if (!engine.isLeader()) return 'not the leader (or the API server is unreachable)';
  return undefined;
}

/** /healthz, /readyz and /metrics. */
export function probeRouter(engine: () => Engine | undefined): Router {
  const r = express.Router();
  r.get('/healthz', (_req, res) => {
    res.type('text/plain').send('ok\n');
  });
  r.get('/readyz', (_req, res) => {
    const why = notReadyBecause(engine());
    res.status(why ? 503 : 200).type('text/plain').send(why ? `not ready: ${why}\n` : 'ready: leading\n');
  });
  r.get('/metrics', async (_req, res) => {
    const e = engine();
    if (!e) {
      res.status(503).type('text/plain').send('not ready\n');
      return;
    }
    res.type(e.metrics.contentType).send(await e.metrics.metrics());
  });
  return r;
}

export async function runCoordinator({ config, log, stop }: CoordinatorDeps): Promise<void> {
  const kc = loadKubeConfig(config.kubeconfig, 'in-cluster');
  let engine: Engine | undefined;
  const auth = createTokenReviewAuthenticator({
    api: kubeAuthApi(kc),
    rules: { namespace: config.namespace, serviceAccount: config.agentServiceAccount, audience: config.audience },
    cacheSeconds: config.tokenCacheSeconds,
    log,
  });
  const root = express.Router();
  root.use(probeRouter(() => engine));
  root.use(createGateRouter({ directory: forwardingDirectory(() => engine), auth, log }));
  const server = await startGateServer(root, config.bindAddress, config.port);
  log.info({ version: VERSION, port: server.port, node: config.nodeName }, 'coordinator listening');
  engine = await startEngine({ kc, config, log, identity: config.podName ?? hostname() });
  log.info({ identity: config.podName ?? hostname() }, 'engine started');
  await stop;
  log.info('coordinator stopping');
  const running = engine;
  engine = undefined;
  await running.stop();
  await server.close();
}
