/**
 * One coordinator replica on loopback, as its pod would run it: the agent API (gate) over HTTP with the
 * real TokenReview authenticator, and the engine, both with the coordinator ServiceAccount's token.
 * The engine publishes the gate's address on the leader Lease, where the agents look for it.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { Heartbeat, Order, OrderResult, RegisterRequest } from '../../shared/api.js';
import type { CoordinatorConfig } from '../../shared/config.js';
import { CniMigrateError } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';
import { createCoordinatorGate, startGateServer, type GateLimits, type GateServer } from '../../coordinator/gate/index.js';
import { startEngine, type Engine } from '../../coordinator/engine/engine.js';
import type { AgentDirectory } from '../../coordinator/ports.js';

/** Answers for the engine once it started (the gate listens first, so its port can be advertised). */
class LateDirectory implements AgentDirectory {
  engine: Engine | undefined;
  private get ready(): Engine {
    if (this.engine === undefined) throw new CniMigrateError('Unavailable', 'coordinator is starting');
    return this.engine;
  }
  register(req: RegisterRequest): Promise<void> {
    return this.ready.register(req);
  }
  heartbeat(hb: Heartbeat): Promise<void> {
    return this.ready.heartbeat(hb);
  }
  order(node: string, after: string | undefined, signal: AbortSignal): Promise<Order | null> {
    return this.ready.order(node, after, signal);
  }
  result(res: OrderResult): Promise<boolean> {
    return this.ready.result(res);
  }
}

export interface ReplicaOptions {
  kc: KubeConfig;
  config: CoordinatorConfig;
  identity: string;
  log: Logger;
  limits?: Partial<GateLimits>;
  /** Reuse a port (a restarted replica comes back at the same address). */
  port?: number;
}

export interface CoordinatorReplica {
  identity: string;
  port: number;
  engine: Engine;
  gate: GateServer;
  stop(): Promise<void>;
  /** Dies as a killed pod does: the engine stops dead (Leases stay held), open connections are cut. */
  crash(): Promise<void>;
}

export async function startCoordinatorReplica(opts: ReplicaOptions): Promise<CoordinatorReplica> {
  const { kc, config, log } = opts;
  const directory = new LateDirectory();
  const router = createCoordinatorGate({ kc, config, directory, log, ...(opts.limits ? { limits: opts.limits } : {}) });
  const gate = await startGateServer(router, '127.0.0.1', opts.port ?? 0);
  const engine = await startEngine({
    kc,
    config: { ...config, advertiseAddress: '127.0.0.1', port: gate.port, podName: opts.identity },
    log,
    identity: opts.identity,
  });
  directory.engine = engine;
  return {
    identity: opts.identity,
    port: gate.port,
    engine,
    gate,
    async stop() {
      await gate.close();
      await engine.stop();
    },
    async crash() {
      engine.crash();
      await gate.close();
    },
  };
}
