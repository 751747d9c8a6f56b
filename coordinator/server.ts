/**
 * The coordinator's long-running mode: one HTTP port serving /healthz, /readyz, /metrics and the agent
 * API (the gate), then the migration engine (leader election, grants, the reconcile loop). The binary and
 * the demo start it through the same `startCoordinator`.
 */
import { hostname } from 'node:os';
import type { KubeConfig } from '@kubernetes/client-node';
import express, { type Router } from 'express';
import type { CoordinatorConfig } from '../shared/config.js';
import { CniMigrateError, DeadlineError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import { VERSION } from '../shared/version.js';
import type { AgentDirectory, ProbeDirectory } from './ports.js';
import { startEngine, type Engine } from './engine/engine.js';
import { loadKubeConfig } from './kube/kubeconfig.js';
import { dashboardRouter } from './dashboard/router.js';
import { createCoordinatorGate, startGateServer, type GateLimits } from './gate/index.js';
import { watchPodPlacements } from './kube/pod-placements.js';

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
    nodeCount: () => engine()?.nodeCount?.() ?? 0,
  };
}

/** Why the process is not healthy: start-up past its deadline, or an engine that stopped making progress. */
export type HealthCheck = () => string | undefined;

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
export function probeRouter(engine: () => Engine | undefined, unhealthy: HealthCheck = () => engine()?.stuck()): Router {
  const r = express.Router();
  r.get('/healthz', (_req, res) => {
    const why = unhealthy();
    res.status(why === undefined ? 200 : 503).type('text/plain').send(why === undefined ? 'ok\n' : `unhealthy: ${why}\n`);
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

export interface StartOptions {
  kc: KubeConfig;
  /** bindAddress and port say where to listen (port 0 picks one); the engine advertises the bound port. */
  config: CoordinatorConfig;
  log: Logger;
  /** This replica's name on the leader Lease (the pod name). */
  identity: string;
  limits?: Partial<GateLimits>;
}

export interface RunningCoordinator {
  port: number;
  engine: Engine;
  /** Stops the engine (releasing what it holds), then the HTTP port. */
  stop(): Promise<void>;
  /** Dies as a killed pod does: the engine stops dead (Leases stay held), open connections are cut. */
  crash(): Promise<void>;
}

/**
 * The coordinator's one startup path (the binary and the demo's replicas alike): the port first, serving
 * the probes, /metrics and the agent API (which answer "starting" until the engine runs), then the
 * engine, which advertises the port on the leader Lease.
 */
export async function startCoordinator(o: StartOptions): Promise<RunningCoordinator> {
  const { kc, config, log } = o;
  let engine: Engine | undefined;
  const root = express.Router();
  const startup = startupDeadline(config.startupTimeoutSeconds * 1000);
  root.use(probeRouter(() => engine, () => (engine ? engine.stuck() : startup.overdue())));
  root.use(dashboardRouter(() => engine));
  const probes: ProbeDirectory = {
    probeReport: (report) => {
      if (!engine) throw new CniMigrateError('Unavailable', 'the coordinator is starting; retry shortly');
      return engine.probeReport(report);
    },
  };
  const placements = watchPodPlacements(kc, config.namespace, log);
  const gate = { kc, config, directory: forwardingDirectory(() => engine), probes, log, placements };
  root.use(createCoordinatorGate({ ...gate, ...(o.limits ? { limits: o.limits } : {}) }));
  const server = await startGateServer(root, config.bindAddress, config.port).catch((e: unknown) => {
    placements.stop();
    throw e;
  });
  log.info({ version: VERSION, port: server.port, node: config.nodeName }, 'coordinator listening');
  const running = await startup
    .race((signal) => startEngine({ kc, config: { ...config, port: server.port }, log, identity: o.identity, signal }))
    .catch(async (e: unknown) => {
      placements.stop();
      await server.close();
      throw e;
    });
  engine = running;
  log.info({ identity: o.identity }, 'engine started');
  return {
    port: server.port,
    engine: running,
    async stop() {
      engine = undefined;
      await running.stop();
      placements.stop();
      await server.close();
    },
    async crash() {
      engine = undefined;
      running.crash();
      placements.stop();
      await server.close();
    },
  };
}

export async function runCoordinator({ config, log, stop }: CoordinatorDeps): Promise<void> {
  const kc = loadKubeConfig(config.kubeconfig, 'in-cluster');
  const coordinator = await startCoordinator({ kc, config, log, identity: config.podName ?? hostname() });
  await stop;
  log.info('coordinator stopping');
  await coordinator.stop();
}
