/**
 * The demo's coordinator replicas (one by default, two to show leader election), each restartable at the
 * same address, as a crashed pod comes back.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { COORDINATOR_ENV_PREFIX, coordinatorConfigSpec, type CoordinatorConfig } from '../../shared/config.js';
import { parseConfig } from '../../shared/config-spec.js';
import type { Logger } from '../../shared/logger.js';
import type { GateLimits } from '../../coordinator/gate/index.js';
import { inDemoThread, startCoordinatorReplica, type DemoReplica } from './coordinator-replica.js';
import { startCoordinatorThread } from './coordinator-thread.js';

/** Short deadlines so failure scenarios halt within seconds; the happy path never gets near them. */
export function demoCoordinatorConfig(overrides: Record<string, unknown> = {}): CoordinatorConfig {
  return parseConfig(coordinatorConfigSpec, COORDINATOR_ENV_PREFIX, {
    env: {},
    flags: {
      namespace: 'cni-migrate',
      leaseDurationSeconds: 3,
      drainTimeoutSeconds: 8,
      rebootTimeoutSeconds: 10,
      validateTimeoutSeconds: 10,
      tokenCacheSeconds: 120,
      logLevel: 'silent',
      ...overrides,
    },
  });
}

export const DEMO_GATE_LIMITS: Partial<GateLimits> = { heartbeatIntervalSeconds: 10, longPollSeconds: 30 };

export interface CoordinatorSetOptions {
  kc: KubeConfig;
  config: CoordinatorConfig;
  log: Logger;
  replicas: number;
  limits?: Partial<GateLimits>;
  /** Each replica in its own thread (the command line); else on the demo's own event loop (the tests). */
  ownThreads?: boolean;
}

export class CoordinatorSet {
  private readonly replicas: (DemoReplica | undefined)[] = [];
  private readonly ports: number[] = [];
  private generation = 0;
  /** Once stopped, no replica starts again: a restart or crash still finishing must not leave one running after stopAll. */
  private stopped = false;
  restarts = 0;

  constructor(private readonly opts: CoordinatorSetOptions) {}

  async start(): Promise<void> {
    for (let i = 0; i < this.opts.replicas; i += 1) this.replicas[i] = await this.launch(i);
  }

  /** The replica that currently leads, if any. */
  leader(): DemoReplica | undefined {
    return this.replicas.find((r) => r?.isLeader() === true);
  }

  leaderIndex(): number {
    return this.replicas.findIndex((r) => r?.isLeader() === true);
  }

  /** Stop replica `i` and start it again at the same port (a new identity, as a new pod would have). */
  async restart(i = 0): Promise<void> {
    const old = this.replicas[i];
    this.replicas[i] = undefined;
    await old?.stop();
    this.restarts += 1;
    await this.relaunch(i);
  }

  /** Kill replica `i` (no graceful stop: its Leases stay held until they expire) and start a new one at once. */
  async crash(i = 0): Promise<void> {
    const old = this.replicas[i];
    this.replicas[i] = undefined;
    await old?.crash();
    this.restarts += 1;
    await this.relaunch(i);
  }

  async stopAll(): Promise<void> {
    this.stopped = true;
    const all = this.replicas.splice(0);
    await Promise.all(all.map((r) => r?.stop() ?? Promise.resolve()));
  }

  private async relaunch(i: number): Promise<void> {
    if (this.stopped) return;
    const replica = await this.launch(i);
    if (this.stopped) await replica.stop();
    else this.replicas[i] = replica;
  }

  private async launch(i: number): Promise<DemoReplica> {
    this.generation += 1;
    const identity = `cni-migrate-coordinator-${i}-${this.generation}`;
    const options = {
      kc: this.opts.kc,
      config: this.opts.config,
      identity,
      log: this.opts.log.child({ replica: identity }),
      ...(this.opts.limits ? { limits: this.opts.limits } : {}),
      ...(this.ports[i] !== undefined ? { port: this.ports[i] } : {}),
    };
    const replica = this.opts.ownThreads === true ? await startCoordinatorThread(options) : inDemoThread(await startCoordinatorReplica(options));
    this.ports[i] = replica.port;
    return replica;
  }
}
