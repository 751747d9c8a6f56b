/**
 * `bench:migrate`'s simulated cluster process: the API server, kubelets and controllers, deploy/'s RBAC,
 * and one real agent per node (the agents in a thread of their own). Reboots and Cilium restarts are instant and no workload needs draining,
 * so what the rollout's wall time measures is the coordinator's orchestration.
 */
import { CoreV1Api, type V1Node, type V1Pod } from '@kubernetes/client-node';
import { pino } from 'pino';
import { createLogger, LOG_LEVELS, silentLogger, type Logger, type LogLevel } from '../../../shared/logger.js';
import { MIGRATION_DEFAULT_NAME, NodeAnnotation } from '../../../shared/names.js';
import type { RequestCount } from '../../../sim/apiserver/index.js';
import { startSimCluster, type SimCluster } from '../../../sim/index.js';
import { POD_TEMPLATE_HASH_LABEL } from '../../../sim/cluster/deployment-plan.js';
import { AGENT_NAMESPACE, AGENT_POD_SELECTOR } from '../../../sim/demo/agent-fleet.js';
import { startAgentThread } from '../../../sim/demo/agent-thread.js';
import { createMigration, installDeployManifests, serviceAccountToken } from '../../../sim/demo/install.js';
import { RolloutObserver } from '../../../sim/demo/measure.js';
import { rolloutEnd, watchMigrations } from '../../../sim/demo/migration-watch.js';
import { watchList, type WatchedList } from '../../../sim/demo/watch-cache.js';
import { PhaseClock } from './phase-clock.js';
import type { RolloutDone, RunSpec, ToDriver, ToSim } from './protocol.js';

const CHECK_IMAGE = 'ghcr.io/nicolaka/netshoot:v0.13';
const total = (counts: readonly RequestCount[]): number => counts.reduce((n, c) => n + c.count, 0);
const send = (m: ToDriver): void => void process.send?.(m);
const PROGRESS_EVERY_MS = 10_000;
const WORKLOAD_POD_SELECTOR = POD_TEMPLATE_HASH_LABEL;

/** BENCH_SIM_LOG=<level> shows the simulated cluster's log (kubelets, controllers) on stderr. */
function simLog(): Logger {
  const level = process.env.BENCH_SIM_LOG;
  return LOG_LEVELS.includes(level as LogLevel) ? createLogger({ component: 'sim', level: level as LogLevel, destination: pino.destination(2) }) : silentLogger();
}

class SimSide {
  private readonly closers: (() => Promise<unknown>)[] = [];
  private readonly observer = new RolloutObserver();
  private readonly clock = new PhaseClock();
  private evictedPods = 0;

  private constructor(
    private readonly sim: SimCluster,
    private readonly spec: RunSpec,
  ) {}

  static async start(spec: RunSpec): Promise<SimSide> {
    const sim = await startSimCluster({ nodes: spec.nodes, rebootDowntimeMs: 0, ciliumReadyDelayMs: 0, withoutDemoWorkloads: true }, simLog());
    const side = new SimSide(sim, spec);
    await installDeployManifests(sim.kubeConfig(), spec.deployDir);
    return side;
  }

  async coordinatorCredentials(): Promise<{ server: string; token: string }> {
    const kc = this.sim.kubeConfig();
    const token = await serviceAccountToken(kc, AGENT_NAMESPACE, 'cni-migrate-coordinator');
    return { server: kc.getCurrentCluster()?.server ?? '', token };
  }

  private async startAgents(): Promise<void> {
    const admin = this.sim.kubeConfig();
    const core = admin.makeApiClient(CoreV1Api);
    const pods = await watchList<V1Pod>(
      admin,
      `/api/v1/namespaces/${AGENT_NAMESPACE}/pods`,
      () => core.listNamespacedPod({ namespace: AGENT_NAMESPACE, labelSelector: AGENT_POD_SELECTOR }),
      { labelSelector: AGENT_POD_SELECTOR },
    );
    const names = new Set(this.sim.nodeNames());
    const covered = (items: readonly V1Pod[]): boolean => new Set(items.map((p) => p.spec?.nodeName)).size >= names.size;
    await pods.until(covered, 'an agent pod on every node', 120_000 + this.spec.nodes * 100);
    const sim = this.sim;
    this.closers.push(() => pods.stop());
    // The agents run in their own thread, as each runs on its own node: a thousand agent loops (heartbeats, long
    // polls, leader-Lease watches) would otherwise share this event loop with the API server, kubelets and controllers.
    const fleet = await startAgentThread(
      {
        admin,
        sim: { bootId: (n) => sim.bootId(n), kernel: (n) => sim.kernel(n), rebootNode: (n) => sim.rebootNode(n), ciliumManaged: (n) => sim.ciliumManaged(n) },
        checkImage: CHECK_IMAGE,
      },
      pods.list().filter((p) => names.has(p.spec?.nodeName ?? '')),
    );
    this.closers.push(() => fleet.stopAll());
    const nodes = await this.watchNodes();
    nodes.onChange((n) => fleet.nodeChanged(n));
  }

  private async watchNodes(): Promise<WatchedList<V1Node>> {
    const admin = this.sim.kubeConfig();
    const core = admin.makeApiClient(CoreV1Api);
    const nodes = await watchList<V1Node>(admin, '/api/v1/nodes', () => core.listNode());
    this.closers.push(() => nodes.stop());
    for (const n of nodes.list()) {
      this.observer.observe(n, performance.now());
      this.clock.observe(n, performance.now());
    }
    nodes.onChange((n) => {
      this.observer.observe(n, performance.now());
      this.clock.observe(n, performance.now());
    });
    // Only workload pods can be evicted: a Deployment's pods (every ReplicaSet here is a Deployment's) carry
    // pod-template-hash. Watching every pod made the bench parse each daemon and check pod event a second time.
    const pods = await watchList<V1Pod>(admin, '/api/v1/pods', () => core.listPodForAllNamespaces({ labelSelector: WORKLOAD_POD_SELECTOR }), {
      labelSelector: WORKLOAD_POD_SELECTOR,
    });
    this.closers.push(() => pods.stop());
    pods.onDelete((p) => {
      if (p.metadata?.ownerReferences?.some((o) => o.kind === 'ReplicaSet') === true) this.evictedPods += 1;
    });
    return nodes;
  }

  async rollout(): Promise<RolloutDone> {
    await this.startAgents();
    const admin = this.sim.kubeConfig();
    const migrations = await watchMigrations(admin, MIGRATION_DEFAULT_NAME);
    this.closers.push(() => migrations.stop());
    const before = total(this.sim.api?.requestCounts() ?? []);
    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    // With BENCH_CPU_PROF, the rollout's start and end on the profile's clock (monotonic µs), to cut the profile to it.
    if (process.env.BENCH_CPU_PROF) process.stderr.write(`  sim rollout window starts at ${process.hrtime.bigint() / 1000n} µs\n`);
    await createMigration(
      admin,
      { concurrency: this.spec.concurrency, autoRollback: false, includeControlPlane: true, nodeSelector: this.sim.nodeSelector },
      { name: MIGRATION_DEFAULT_NAME },
    );
    const deadlineMs = this.spec.rolloutDeadlineMs;
    const progress = setInterval(() => this.progress(started), PROGRESS_EVERY_MS);
    const ended = await migrations
      .until((items) => rolloutEnd(items[0]) !== undefined, 'the rollout', deadlineMs)
      .then(() => rolloutEnd(migrations.list()[0]))
      .catch((e: unknown) => ({ kind: 'halted' as const, reason: e instanceof Error ? e.message : String(e) }));
    clearInterval(progress);
    const wallMs = performance.now() - started;
    const cpu = process.cpuUsage(cpuBefore);
    if (process.env.BENCH_CPU_PROF) process.stderr.write(`  sim rollout window ends at ${process.hrtime.bigint() / 1000n} µs\n`);
    const requests = this.sim.api?.requestCounts() ?? [];
    const own = new Set(this.sim.nodeNames());
    const phases = (await admin.makeApiClient(CoreV1Api).listNode()).items
      .filter((n) => own.has(n.metadata?.name ?? ''))
      .map((n) => n.metadata?.annotations?.[NodeAnnotation.phase]);
    return {
      kind: 'rollout-done',
      nodes: own.size,
      migrated: phases.filter((p) => p === 'Done').length,
      halted: ended?.kind === 'halted' ? ended.reason : null,
      wallMs: Math.round(wallMs),
      handoffMs: this.observer.handoffMs(),
      evictedPods: this.evictedPods,
      requests,
      phaseMs: this.clock.meanMs(),
      apiServerRequestsPerSec: Math.round(((total(requests) - before) / wallMs) * 1000),
      simCpuMs: Math.round((cpu.user + cpu.system) / 1000),
    };
  }

  /** One line on stderr: how far the rollout got (a run that stalls shows where). */
  private progress(started: number): void {
    const counts = Object.entries(this.clock.counts()).map(([phase, n]) => `${phase} ${n}`).join(', ');
    process.stderr.write(`  ${this.spec.nodes} nodes c${this.spec.concurrency} at ${Math.round((performance.now() - started) / 1000)}s: ${counts}\n`);
  }

  resetRequestCounts(): void {
    this.sim.api?.resetRequestCounts();
  }

  async close(): Promise<void> {
    for (const close of this.closers.reverse()) await close().catch(() => undefined);
    await this.sim.close();
  }
}

let side: SimSide | undefined;

async function handle(m: ToSim): Promise<void> {
  switch (m.kind) {
    case 'start': {
      side = await SimSide.start(m.spec);
      side.resetRequestCounts();
      const { server, token } = await side.coordinatorCredentials();
      send({ kind: 'cluster-ready', server, coordinatorToken: token });
      return;
    }
    case 'rollout':
      if (side) send(await side.rollout());
      return;
    case 'stop':
      await side?.close();
      process.exit(0);
  }
}

process.on('message', (m: ToSim) => {
  handle(m).catch((e: unknown) => {
    send({ kind: 'failed', message: `simulated cluster: ${e instanceof Error ? e.message : String(e)}` });
  });
});
