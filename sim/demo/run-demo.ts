/**
 * `npm run demo`: a whole per-node migration of a simulated cluster, with the real coordinator (engine and
 * gate over HTTP on loopback) and one real agent loop per node, all through deploy/'s RBAC.
 */
import { CoreV1Api, PolicyV1Api, type KubeConfig, type V1Node, type V1Pod, type V1PodDisruptionBudget } from '@kubernetes/client-node';
import { buildRolloutView, type RolloutView } from '../../coordinator/view/rollout-view.js';
import type { DemoControls, DemoIo, DemoResult } from './demo-io.js';
import { NodeAnnotation } from '../../shared/names.js';
import { MIGRATION_DEFAULT_NAME } from '../../shared/names.js';
import { startSimCluster, type SimCluster } from '../index.js';
import { AGENT_NAMESPACE, agentOnEveryNode, watchAgentPods } from './agent-fleet.js';
import { startDemoAgents, type DemoAgents } from './agent-thread.js';
import { CoordinatorSet, DEMO_GATE_LIMITS, demoCoordinatorConfig } from './coordinators.js';
import { createMigration, installDeployManifests, kubeConfigWithToken, serviceAccountToken } from './install.js';
import { finishRun, prepareExistingCluster, type ExistingCluster } from './existing-cluster.js';
import { plainWriter, ttyWriter, type ViewState, type ViewWriter } from './live-view.js';
import { RolloutObserver } from './measure.js';
import { rolloutEnd, watchMigrations, type MigrationObject, type RolloutEnd } from './migration-watch.js';
import { actAndWait, liftFaults, type LiftableFaults } from './after-halt.js';
import type { DemoOptions } from './options.js';
import { judge, pickVictim, planScenario, readCiliumValues, seedShape, type ScenarioPlan } from './scenario.js';
import type { SeedSettingsInput } from '../cluster/seed/settings.js';
import { requestFigures, toolRequests, type DemoSummary, type HaltSummary } from './summary.js';
import { watchList, type WatchedList } from './watch-cache.js';
import { stagesOf, okWithFullRun, fullRunEnd, fullRunOf, startFullRun } from './full-run.js';
import { awaitProbeLoss, DEMO_PROBE_LIMITS, LegacyRoutingFault, probeSummary, startProbeFleet } from './probe-session.js';

export type { DemoControls, DemoIo, DemoResult } from './demo-io.js';
export { DemoInterrupted } from './demo-io.js';

const CHECK_IMAGE = 'ghcr.io/nicolaka/netshoot:v0.13';

const phaseOf = (n: V1Node): string => n.metadata?.annotations?.[NodeAnnotation.phase] ?? 'Pending';

class DemoSession {
  readonly observer = new RolloutObserver();
  private readonly closers: (() => Promise<unknown>)[] = [];
  private readonly seenPhases = new Set<string>();
  private readonly seenNodePhases = new Set<string>();
  private restarting: Promise<void> = Promise.resolve();
  evictedPods = 0;
  nodes: WatchedList<V1Node> | undefined;
  pods: WatchedList<V1Pod> | undefined;
  pdbs: WatchedList<V1PodDisruptionBudget> | undefined;
  migrations: WatchedList<MigrationObject> | undefined;
  readonly faults: LiftableFaults = {};
  /** `--then`: the node acted on (null: a pre-flight halt, which goes on by itself once lifted). */
  actedOn: string | null | undefined;
  coordinators: CoordinatorSet | undefined;
  fleet: DemoAgents | undefined;

  constructor(
    readonly sim: SimCluster,
    readonly opts: DemoOptions,
    readonly io: DemoIo,
    setup: {
      plan: ScenarioPlan;
      /** With --kubeconfig: whose objects these are (labels, placement, the run's Migration name). */
      owner: ExistingCluster | undefined;
    },
  ) {
    this.plan = setup.plan;
    this.owner = setup.owner;
  }

  readonly plan: ScenarioPlan;
  readonly owner: ExistingCluster | undefined;
  private readonly legacyRouting = new LegacyRoutingFault(() => this.admin, () => this.plan.legacyRoutingOffAfterFirstNode === true);

  get migrationName(): string {
    return this.owner?.run.migrationName ?? MIGRATION_DEFAULT_NAME;
  }

  /** Wait for `until`, unless the run is interrupted first. */
  private untilInterrupted<T>(until: Promise<T>): Promise<T> {
    const signal = this.io.signal;
    if (signal === undefined) return until;
    signal.throwIfAborted();
    return Promise.race([
      until,
      new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true })),
    ]);
  }

  /** A step boundary: stop here when interrupted. */
  checkpoint(): void {
    this.io.signal?.throwIfAborted();
  }

  get admin(): KubeConfig {
    return this.sim.kubeConfig();
  }

  /** The nodes this demo plays (an existing cluster's own nodes are not the demo's to count or show). */
  ownNodes(): V1Node[] {
    const own = new Set(this.sim.nodeNames());
    return (this.nodes?.list() ?? []).filter((n) => own.has(n.metadata?.name ?? ''));
  }

  async prepare(): Promise<void> {
    await installDeployManifests(this.admin, this.io.deployDir, this.owner?.owner);
    const victim = pickVictim(this.sim.nodeNames());
    if (this.plan.victimFaults && victim) {
      this.sim.faults.set(victim, this.plan.victimFaults);
      this.faults.victim = victim;
    }
    if (this.plan.blockEvictionsOf) {
      const { namespace, matchLabels } = this.plan.blockEvictionsOf;
      this.faults.block = await this.sim.faults.blockEvictions(namespace, matchLabels);
    }
  }

  async startCoordinators(): Promise<void> {
    const token = await serviceAccountToken(this.admin, AGENT_NAMESPACE, 'cni-migrate-coordinator');
    this.coordinators = new CoordinatorSet({
      kc: kubeConfigWithToken(this.admin, token),
      config: demoCoordinatorConfig({ migrationName: this.migrationName, ...this.io.coordinator }),
      log: this.io.log.child({ component: 'coordinator' }),
      replicas: this.io.replicas ?? 1,
      limits: DEMO_GATE_LIMITS,
      ownThreads: this.io.coordinatorThreads === true,
    });
    this.closers.push(() => this.coordinators?.stopAll() ?? Promise.resolve());
    await this.coordinators.start();
  }

  async startAgents(): Promise<void> {
    const pods = await watchAgentPods(this.admin);
    this.closers.push(() => pods.stop());
    const names = new Set(this.sim.nodeNames());
    await this.untilInterrupted(pods.until(agentOnEveryNode(names), 'an agent pod on every node', 60_000));
    const agentPods = pods.list().filter((p) => names.has(p.spec?.nodeName ?? ''));
    this.closers.push(() => this.fleet?.stopAll() ?? Promise.resolve());
    const setup = { admin: this.admin, sim: this.sim, checkImage: CHECK_IMAGE, log: this.io.log.child({ component: 'agent' }), hostFor: this.io.nodeHost };
    this.fleet = await startDemoAgents({ ...setup, ownThread: this.io.clusterThreads === true }, agentPods);
  }

  async watchCluster(view: ViewWriter): Promise<void> {
    const core = this.admin.makeApiClient(CoreV1Api);
    this.nodes = await watchList<V1Node>(this.admin, '/api/v1/nodes', () => core.listNode());
    this.closers.push(() => this.nodes?.stop() ?? Promise.resolve());
    for (const n of this.nodes.list()) this.observer.observe(n, Date.now());
    this.nodes.onChange((n) => {
      this.observer.observe(n, Date.now());
      this.fleet?.nodeChanged(n);
      this.maybeRestartCoordinator(phaseOf(n));
      this.legacyRouting.onPhase(phaseOf(n));
      this.tellHook(n.metadata?.name ?? '', phaseOf(n));
      view.update(() => this.viewState());
    });
    const pods = await watchList<V1Pod>(this.admin, '/api/v1/pods', () => core.listPodForAllNamespaces());
    this.pods = pods;
    this.closers.push(() => pods.stop());
    const policy = this.admin.makeApiClient(PolicyV1Api);
    const pdbs = await watchList<V1PodDisruptionBudget>(this.admin, '/apis/policy/v1/poddisruptionbudgets', () =>
      policy.listPodDisruptionBudgetForAllNamespaces(),
    );
    this.pdbs = pdbs;
    this.closers.push(() => pdbs.stop());
    pods.onChange((p) => {
      if (p.metadata?.namespace === AGENT_NAMESPACE && p.status?.podIP) this.io.onAgentNamespacePod?.(p);
    });
    pods.onDelete((p) => {
      if (p.metadata?.ownerReferences?.some((o) => o.kind === 'ReplicaSet') === true) this.evictedPods += 1;
    });
    const leader = () => this.coordinators?.leader();
    // On the demo's loop, not their own thread: the thread sees the pod network as sent every 200 ms, so on a fast
    // rollout a connection cut by a reboot was counted broken after its node was already Done.
    const probes = await startProbeFleet({ admin: this.admin, sim: this.sim, pods, leader, seed: this.opts.seed, log: this.io.log.child({ component: 'probe' }) });
    this.closers.push(() => probes.stop());
  }

  private started = Date.now();

  viewState(): ViewState {
    const leader = this.coordinators?.leader();
    return {
      elapsedMs: Date.now() - this.started,
      scenario: this.opts.scenario,
      leader: leader?.identity ?? '(none)',
      grants: leader?.grants() ?? [],
      view: this.rolloutView(),
    };
  }

  /** The rollout in `cni-migrate status`'s words, from the demo's watches. */
  rolloutView(): RolloutView {
    const pods = this.pods?.list() ?? [];
    return buildRolloutView({
      migration: this.migrations?.list().find((m) => m.metadata.name === this.migrationName),
      nodes: this.ownNodes(),
      podsOn: (node) => pods.filter((p) => p.spec?.nodeName === node),
      pdbs: this.pdbs?.list() ?? [],
      now: new Date(),
    });
  }

  private tellHook(node: string, phase: string): void {
    const key = `${node}/${phase}`;
    if (this.io.onNodePhase === undefined || this.seenNodePhases.has(key)) return;
    this.seenNodePhases.add(key);
    this.io.onNodePhase(node, phase, this.controls());
  }

  controls(): DemoControls {
    return {
      killAgent: (node, revive) => this.fleet?.kill(node, revive) ?? Promise.resolve(),
      restartCoordinator: (i) => {
        this.restarting = this.restarting.then(() => this.coordinators?.restart(i)).catch(() => undefined);
        return this.restarting;
      },
      crashCoordinator: (i) => {
        this.restarting = this.restarting.then(() => this.coordinators?.crash(i)).catch(() => undefined);
        return this.restarting;
      },
      leaderIndex: () => this.coordinators?.leaderIndex() ?? -1,
    };
  }

  private maybeRestartCoordinator(phase: string): void {
    if (!this.plan.restartCoordinatorEachPhase || this.seenPhases.has(phase)) return;
    this.seenPhases.add(phase);
    this.restarting = this.restarting.then(() => this.coordinators?.restart(0)).catch(() => undefined);
  }

  async runRollout(deadlineMs: number): Promise<RolloutEnd> {
    const migrations = await watchMigrations(this.admin, this.migrationName);
    this.migrations = migrations;
    this.closers.push(() => migrations.stop(), await startFullRun(this, migrations));
    this.started = Date.now();
    await createMigration(this.admin, {
        concurrency: this.opts.concurrency,
        autoRollback: this.io.autoRollback ?? false,
        includeControlPlane: true,
        nodeSelector: this.sim.nodeSelector,
        probe: DEMO_PROBE_LIMITS,
        stages: stagesOf(this.opts) },
      { name: this.migrationName, ...(this.owner ? { labels: this.owner.run.labels } : {}) },
    );
    const [ended, ours] = [this.opts.full ? fullRunEnd : rolloutEnd, (items: readonly MigrationObject[]) => items.find((m) => m.metadata.name === this.migrationName)];
    await this.untilInterrupted(migrations.until((items) => ended(ours(items)) !== undefined, 'the rollout', deadlineMs));
    await this.restarting;
    const end = ended(ours(migrations.list())) ?? { kind: 'halted', reason: 'unknown' };
    return end.kind === 'halted' ? this.afterHalt(end, () => ours(migrations.list()), deadlineMs) : end;
  }

  /** `--then`: lift the fault and act on the halted node as the operator would; else the halt stands. */
  private async afterHalt(end: RolloutEnd, migration: () => MigrationObject | undefined, deadlineMs: number): Promise<RolloutEnd> {
    const halt = this.rolloutView().halt;
    const loss = this.plan.expectProbeLoss;
    if (loss && this.migrations) await awaitProbeLoss(this.migrations, this.migrationName, loss, Math.min(deadlineMs, 60_000));
    if (this.opts.then === undefined || !halt || !this.nodes || !this.migrations) return end;
    await liftFaults(this.sim, this.faults);
    this.actedOn = halt.node === '' ? null : halt.node;
    const request = { admin: this.admin, request: this.opts.then, node: this.actedOn, nodes: this.nodes };
    return actAndWait({ ...request, migration, migrations: this.migrations, deadlineMs });
  }

  /** The halt as the summary and `--json` report it, in `cni-migrate status`'s words. */
  haltSummary(end: RolloutEnd): HaltSummary | null {
    if (end.kind !== 'halted') return null;
    const h = this.rolloutView().halt;
    if (!h) return { node: '', step: null, reason: end.reason, next: [] };
    return { node: h.node, step: h.step ?? null, reason: h.reason, next: h.next };
  }

  summarize(end: RolloutEnd, wallMs: number): DemoSummary {
    const phases = this.ownNodes().map(phaseOf);
    const migrated = phases.filter((p) => p === 'Done').length;
    const summary: DemoSummary = {
      scenario: this.opts.scenario,
      ok: false,
      nodes: phases.length,
      migrated,
      failed: phases.filter((p) => p === 'Halted' || p === 'RolledBack').length,
      halted: this.haltSummary(end),
      then: this.actedOn !== undefined && this.opts.then ? { request: this.opts.then, node: this.actedOn } : null,
      maxInFlight: this.observer.maxInFlight,
      maxRebootsPerNode: this.observer.maxRebootsPerNode(),
      handoffMs: this.observer.handoffMs(),
      probe: probeSummary(this.migrations?.list().find((m) => m.metadata.name === this.migrationName)),
      ...requestFigures(this.sim.api?.requestCounts(), this.evictedPods, migrated),
      wallMs,
    };
    return { ...summary, ok: judge(summary, this.plan) };
  }

  /** Lets the caller look at the leader's dashboard before anything stops. */
  async beforeClose(): Promise<void> {
    const leader = this.coordinators?.leader();
    if (this.io.beforeClose && leader) await this.io.beforeClose({ dashboardUrl: `http://127.0.0.1:${leader.port}/` });
  }

  async close(): Promise<void> {
    for (const close of this.closers.reverse()) await close().catch(() => undefined);
    await this.sim.close();
  }
}


export async function runDemo(opts: DemoOptions, io: DemoIo): Promise<DemoResult> {
  const say = (line: string): void => void io.out.write(`${line}\n`);
  const shape = seedShape(opts, opts.ciliumValues ? await readCiliumValues(opts.ciliumValues) : undefined);
  const existing = opts.kubeconfig
    ? await prepareExistingCluster({ kubeconfig: opts.kubeconfig, nodes: opts.nodes, deployDir: io.deployDir, keep: opts.keep, shape, say })
    : undefined;
  try {
    return await runOnCluster(opts, io, { existing, shape });
  } finally {
    if (existing) await finishRun(existing, opts.keep, say);
  }
}

async function runOnCluster(opts: DemoOptions, io: DemoIo, { existing, shape }: { existing: ExistingCluster | undefined; shape: SeedSettingsInput }): Promise<DemoResult> {
  const started = Date.now();
  const plan = planScenario(opts.scenario);
  const sim = await startSimCluster(
    {
      nodes: opts.nodes,
      seed: opts.seed,
      rebootDowntimeMs: 50,
      ciliumReadyDelayMs: 20,
      shape,
      ...existing?.simOptions,
    },
    io.log.child({ component: 'sim' }),
  );
  const session = new DemoSession(sim, opts, io, { plan, owner: existing });
  const view = io.tty ? ttyWriter(io.out) : plainWriter(io.out);
  try {
    await session.prepare();
    session.checkpoint();
    await session.startCoordinators();
    session.checkpoint();
    await session.startAgents();
    session.checkpoint();
    await session.watchCluster(view);
    const end = await session.runRollout(io.rolloutDeadlineMs ?? Math.max(120_000, opts.nodes * 3000));
    view.update(() => session.viewState());
    const summary = session.summarize(end, Date.now() - started);
    await session.beforeClose();
    const counts = sim.api?.requestCounts();
    const full = await fullRunOf(session, session.migrations?.list()[0]);
    return {
      summary, full,
      ok: okWithFullRun(summary.ok, full),
      coordinatorRestarts: session.coordinators?.restarts ?? 0,
      apiRequests: counts && toolRequests(counts),
      apiCalls: sim.api?.apiCalls(),
    };
  } finally {
    view.close();
    await session.close();
  }
}
