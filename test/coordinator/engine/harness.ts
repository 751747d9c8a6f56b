/** Runs engines and fake agents over one fake cluster; waits on the cluster's own change events. */
import { COORDINATOR_ENV_PREFIX, coordinatorConfigSpec, type CoordinatorConfig } from '../../../shared/config.js';
import { parseConfig } from '../../../shared/config-spec.js';
import { silentLogger, type Logger } from '../../../shared/logger.js';
import { startEngineWith, type Engine } from '../../../coordinator/engine/engine.js';
import { FakeAgents } from './fake-agents.js';
import { FakeCluster, type FakeNodeSpec } from './fake-cluster.js';
import { waitFor } from '../../support/wait-for.js';

export function testConfig(flags: Record<string, unknown> = {}): CoordinatorConfig {
  return parseConfig(coordinatorConfigSpec, COORDINATOR_ENV_PREFIX, {
    env: {},
    flags: { leaseDurationSeconds: '2', nodeName: 'cp1', advertiseAddress: '192.168.1.10', ...flags },
  });
}

export const workers = (n: number): FakeNodeSpec[] =>
  Array.from({ length: n }, (_, i) => ({ name: `w${i + 1}` }));

export class Harness {
  readonly cluster: FakeCluster;
  readonly agents: FakeAgents;
  engine: Engine | undefined;
  private readonly engines: Engine[] = [];

  constructor(
    nodes: FakeNodeSpec[],
    private readonly config: CoordinatorConfig = testConfig(),
    private readonly log: Logger = silentLogger(),
  ) {
    this.cluster = new FakeCluster(nodes);
    this.agents = new FakeAgents(this.cluster, () => this.engine);
  }

  async startEngine(identity = 'coordinator-a'): Promise<Engine> {
    const e = await startEngineWith({ cluster: this.cluster.ports(), config: this.config, log: this.log, identity });
    this.engines.push(e);
    this.engine ??= e;
    return e;
  }

  /** Drops the current engine (as if its process died) and starts a new one on the same cluster state. */
  async restartEngine(): Promise<Engine> {
    const old = this.engine;
    this.engine = undefined;
    await old?.stop();
    return this.startEngine();
  }

  startAgents(): void {
    this.agents.start([...this.cluster.nodes.items.keys()]);
  }

  /**
   * Resolves once `cond()` holds (checked on every node or Migration change), fails after `ms`. The deadline only
   * bounds a failure (a wait ends as soon as the condition holds), so it is generous for a loaded machine.
   */
  waitFor(cond: () => boolean, ms = 60_000, what = 'condition'): Promise<void> {
    return waitForChange(this.cluster, cond, ms, what);
  }

  allIn(phase: string, names = [...this.cluster.nodes.items.keys()]): boolean {
    return names.every((n) => this.cluster.phaseOf(n) === phase);
  }

  async stop(): Promise<void> {
    await this.agents.stop();
    await Promise.all(this.engines.map((e) => e.stop()));
  }
}

/** Resolves once `cond()` holds, checked on every node or Migration change of `fake`; fails after `ms`. */
export async function waitForChange(fake: FakeCluster, cond: () => boolean, ms: number, what: string): Promise<void> {
  const wakeOn = (wake: () => void): (() => void) => {
    fake.nodes.listeners.add(wake);
    fake.migrations.listeners.add(wake);
    return () => {
      fake.nodes.listeners.delete(wake);
      fake.migrations.listeners.delete(wake);
    };
  };
  await waitFor(what, cond, { timeoutMs: ms, wakeOn });
}
