/**
 * One coordinator replica on loopback, as its pod would run it, through the coordinator's own startup
 * path (`startCoordinator`): the probes and the agent API over HTTP with the real TokenReview
 * authenticator, and the engine, with the coordinator ServiceAccount's token. The engine publishes the
 * port's address on the leader Lease, where the agents look for it.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { CoordinatorConfig } from '../../shared/config.js';
import type { Logger } from '../../shared/logger.js';
import type { GateLimits } from '../../coordinator/gate/index.js';
import type { Engine } from '../../coordinator/engine/engine.js';
import { startCoordinator } from '../../coordinator/server.js';

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
  stop(): Promise<void>;
  /** Dies as a killed pod does: the engine stops dead (Leases stay held), open connections are cut. */
  crash(): Promise<void>;
}

/** A node holding one of the rollout's slots. */
export interface Grant {
  slot: number;
  node: string;
}

/** What the demo needs of a replica, in its own thread or in the demo's. */
export interface DemoReplica {
  identity: string;
  port: number;
  isLeader(): boolean;
  /** The grants while it leads. */
  grants(): Grant[];
  stop(): Promise<void>;
  crash(): Promise<void>;
}

export const inDemoThread = (r: CoordinatorReplica): DemoReplica => ({
  identity: r.identity,
  port: r.port,
  isLeader: () => r.engine.isLeader(),
  grants: () => r.engine.snapshot().grants,
  stop: () => r.stop(),
  crash: () => r.crash(),
});

export async function startCoordinatorReplica(opts: ReplicaOptions): Promise<CoordinatorReplica> {
  const loopback = '127.0.0.1';
  const config = { ...opts.config, bindAddress: loopback, advertiseAddress: loopback, port: opts.port ?? 0, podName: opts.identity };
  const running = await startCoordinator({ kc: opts.kc, config, log: opts.log, identity: opts.identity, ...(opts.limits ? { limits: opts.limits } : {}) });
  return { identity: opts.identity, ...running };
}
