/**
 * The coordinator's long-running mode: one HTTP port serving /healthz, /readyz, /metrics and the agent
 * API (the gate), then the migration engine (leader election, grants, the reconcile loop).
 */
import { hostname } from 'node:os';
import express, { type Router } from 'express';
import type { CoordinatorConfig } from '../shared/config.js';
import { CniMigrateError, DeadlineError } from '../shared/errors.js';
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

/** Why the process is not healthy: start-up past its deadline, or an engine that stopped making progress. */
export type HealthCheck = () => string | undefined;

/** /healthz, /readyz and /metrics. */
export function probeRouter(engine: () => Engine | undefined, unhealthy: HealthCheck = () => engine()?.stuck()): Router {
  const r = express.Router();
  r.get('/healthz', (_req, res) => {
    const why = unhealthy();
    res.status(why === undefined ? 200 : 503).type('text/plain').send(why === undefined ? 'ok\n' : `unhealthy: ${why}\n`);
  });
  r.get('/readyz', (_req, res) => {
    const ready = engine() !== undefined;
    res.status(ready ? 200 : 503).type('text/plain').send(ready ? 'ready\n' : 'not ready\n');
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

/**
 * The engine's start-up (the first list and watch of every cache) within a deadline: a watch that never
 * answers ends the process (non-zero) instead of leaving it waiting forever behind a healthy /healthz.
 */
export function startupDeadline(ms: number, now: () => number = Date.now) {
  const since = now();
  return {
    overdue: (): string | undefined => (now() - since > ms ? `start-up running for ${Math.round((now() - since) / 1000)}s` : undefined),
    /** `start` within the deadline; at the deadline its signal aborts and the race rejects. */
    async race<T>(start: (signal: AbortSignal) => Promise<T>): Promise<T> {
      let timer: NodeJS.Timeout | undefined;
      const abort = new AbortController();
      const starting = start(abort.signal);
      const deadline = new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => {
          abort.abort();
          reject(new DeadlineError('coordinator start-up (first list and watch of the API server)', ms));
        }, ms);
      });
      try {
        return await Promise.race([starting, deadline]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
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
  const startup = startupDeadline(config.startupTimeoutSeconds * 1000);
  root.use(probeRouter(() => engine, () => (engine ? engine.stuck() : startup.overdue())));
  root.use(createGateRouter({ directory: forwardingDirectory(() => engine), auth, log }));
  const server = await startGateServer(root, config.bindAddress, config.port);
  log.info({ version: VERSION, port: server.port, node: config.nodeName }, 'coordinator listening');
  try {
    engine = await startup.race((signal) => startEngine({ kc, config, log, identity: config.podName ?? hostname(), signal }));
  } catch (e) {
    await server.close();
    throw e;
  }
  log.info({ identity: config.podName ?? hostname() }, 'engine started');
  await stop;
  log.info('coordinator stopping');
  const running = engine;
  engine = undefined;
  await running.stop();
  await server.close();
}
