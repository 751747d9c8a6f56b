/**
 * `npm run demo`: a whole per-node migration of a simulated cluster, with the real coordinator (engine and
 * gate over HTTP on loopback) and one real agent loop per node, all through deploy/'s RBAC.
 */
import { CoreV1Api, type KubeConfig, type V1Node, type V1Pod } from '@kubernetes/client-node';
import type { Logger } from '../../shared/logger.js';
import { NodeAnnotation } from '../../shared/names.js';
import { startSimCluster, type SimCluster } from '../index.js';
import { AGENT_NAMESPACE, AGENT_POD_SELECTOR, AgentFleet } from './agent-fleet.js';
import { CoordinatorSet, DEMO_GATE_LIMITS, demoCoordinatorConfig } from './coordinators.js';
import { createMigration, installDeployManifests, kubeConfigWithToken, serviceAccountToken } from './install.js';
import { plainWriter, ttyWriter, type ViewState, type ViewWriter } from './live-view.js';
import { RolloutObserver } from './measure.js';
import { rolloutEnd, watchMigrations, type MigrationObject, type RolloutEnd } from './migration-watch.js';
import type { DemoOptions } from './options.js';
import { pickVictim, planScenario, type ScenarioPlan } from './scenario.js';
import { apiRequestsPerNode, toolRequests, type DemoSummary } from './summary.js';
import type { RequestCount } from '../apiserver/index.js';
import { watchList, type WatchedList } from './watch-cache.js';
import { FULL_STAGES, fullRunEnd, fullRunSummary, playHelmAtGate, watchStageSteps, type FullRunSummary } from './full-run.js';
import { startTigeraOperator } from './tigera-operator.js';

export interface DemoIo {
  out: NodeJS.WritableStream;
  tty: boolean;
  log: Logger;
  deployDir: string;
  /** Extra coordinator config keys (tests shorten deadlines). */
  coordinator?: Record<string, unknown>;
  replicas?: number;
  autoRollback?: boolean;
  /** Called the first time each node is seen in each phase (tests kill agents or coordinators here). */
  onNodePhase?(node: string, phase: string, controls: DemoControls): void;
  /** `--full`: called the first time each stage step (`Stage/Step`) is seen in the Migration status. */
  onStageStep?(step: string, controls: DemoControls): void;
}

/** What a test may break while the rollout runs. */
export interface DemoControls {
  killAgent(node: string, revive: boolean): Promise<void>;
  restartCoordinator(replica: number): Promise<void>;
  /** Kill replica `replica` (as SIGKILL would) and start a fresh one with a new identity at once. */
  crashCoordinator(replica: number): Promise<void>;
  leaderIndex(): number;
}

export interface DemoResult {
  summary: DemoSummary;
  /** `--full`: the stages after the rollout. */
  full?: FullRunSummary;
  /** Every node migrated, or (failure scenario) the rollout halted as it should. */
  ok: boolean;
  /** How many times a coordinator replica was killed and started again. */
  coordinatorRestarts: number;
  /** The coordinator's and the agents' API requests by verb and resource (embedded sim only). */
  apiRequests: RequestCount[] | undefined;
}

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
  coordinators: CoordinatorSet | undefined;
  fleet: AgentFleet | undefined;

  constructor(
    readonly sim: SimCluster,
    readonly opts: DemoOptions,
    readonly io: DemoIo,
    readonly plan: ScenarioPlan,
  ) {}

  get admin(): KubeConfig {
    return this.sim.kubeConfig();
  }

  /** The nodes this demo plays (an existing cluster's own nodes are not the demo's to count or show). */
  ownNodes(): V1Node[] {
    const own = new Set(this.sim.nodeNames());
    return (this.nodes?.list() ?? []).filter((n) => own.has(n.metadata?.name ?? ''));
  }

  async prepare(): Promise<void> {
    await installDeployManifests(this.admin, this.io.deployDir);
    const victim = pickVictim(this.sim.nodeNames());
    if (this.plan.victimFaults && victim) this.sim.faults.set(victim, this.plan.victimFaults);
    if (this.plan.blockEvictionsOf) {
      await this.sim.faults.blockEvictions(this.plan.blockEvictionsOf.namespace, this.plan.blockEvictionsOf.matchLabels);
    }
  }

  async startCoordinators(): Promise<void> {
    const token = await serviceAccountToken(this.admin, AGENT_NAMESPACE, 'cni-migrate-coordinator');
    this.coordinators = new CoordinatorSet({
      kc: kubeConfigWithToken(this.admin, token),
      config: demoCoordinatorConfig(this.io.coordinator),
      log: this.io.log.child({ component: 'coordinator' }),
      replicas: this.io.replicas ?? 1,
      limits: DEMO_GATE_LIMITS,
    });
    this.closers.push(() => this.coordinators?.stopAll() ?? Promise.resolve());
    await this.coordinators.start();
  }

  async startAgents(): Promise<void> {
    const core = this.admin.makeApiClient(CoreV1Api);
    const pods = await watchList<V1Pod>(
      this.admin,
      `/api/v1/namespaces/${AGENT_NAMESPACE}/pods`,
      () => core.listNamespacedPod({ namespace: AGENT_NAMESPACE, labelSelector: AGENT_POD_SELECTOR }),
      { labelSelector: AGENT_POD_SELECTOR },
    );
    this.closers.push(() => pods.stop());
    const names = new Set(this.sim.nodeNames());
    const covered = (items: readonly V1Pod[]): boolean =>
      new Set(items.map((p) => p.spec?.nodeName).filter((n) => n !== undefined && names.has(n))).size === names.size;
    await pods.until(covered, 'an agent pod on every node', 60_000);
    const sim = this.sim;
    this.fleet = new AgentFleet({
      adminKc: this.admin,
      kubeConfigFor: (t) => kubeConfigWithToken(this.admin, t),
      sim: {
        bootId: (n) => sim.bootId(n),
        kernel: (n) => sim.kernel(n),
        rebootNode: (n) => sim.rebootNode(n),
        ciliumManaged: (n) => sim.ciliumManaged(n),
      },
      checkImage: CHECK_IMAGE,
      log: this.io.log.child({ component: 'agent' }),
    });
    this.closers.push(() => this.fleet?.stopAll() ?? Promise.resolve());
    await this.fleet.startAll(pods.list().filter((p) => names.has(p.spec?.nodeName ?? '')));
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
      this.tellHook(n.metadata?.name ?? '', phaseOf(n));
      view.update(this.viewState());
    });
    const pods = await watchList<V1Pod>(this.admin, '/api/v1/pods', () => core.listPodForAllNamespaces());
    this.closers.push(() => pods.stop());
    pods.onDelete((p) => {
      if (p.metadata?.ownerReferences?.some((o) => o.kind === 'ReplicaSet') === true) this.evictedPods += 1;
    });
  }

  private started = Date.now();

  viewState(): ViewState {
    const leader = this.coordinators?.leader();
    return {
      elapsedMs: Date.now() - this.started,
      scenario: this.opts.scenario,
      leader: leader?.identity ?? '(none)',
      grants: leader?.engine.snapshot().grants ?? [],
      nodes: this.ownNodes()
        .map((n) => ({
          name: n.metadata?.name ?? '',
          phase: phaseOf(n),
          reason: n.metadata?.annotations?.[NodeAnnotation.haltReason],
        }))
        .sort((a, b) => a.name.localeCompare(b.name)),
    };
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

  migration: MigrationObject | undefined;

  async runRollout(deadlineMs: number): Promise<RolloutEnd> {
    const migrations = await watchMigrations(this.admin);
    this.closers.push(() => migrations.stop());
    if (this.opts.full) await this.playOperatorParts(migrations);
    this.started = Date.now();
    await createMigration(this.admin, {
      concurrency: this.opts.concurrency,
      autoRollback: this.io.autoRollback ?? false,
      includeControlPlane: true,
      nodeSelector: this.sim.nodeSelector,
      ...(this.opts.full ? { stages: FULL_STAGES } : {}),
    });
    const end = this.opts.full ? fullRunEnd : rolloutEnd;
    await migrations.until((items) => end(items[0]) !== undefined, 'the rollout', deadlineMs);
    await this.restarting;
    this.migration = migrations.list()[0];
    return end(this.migration) ?? { kind: 'halted', reason: 'unknown' };
  }

  /** The operator's parts of the full run: the helm upgrade at the promotion gate, and the Tigera operator. */
  private async playOperatorParts(migrations: WatchedList<MigrationObject>): Promise<void> {
    playHelmAtGate(this.admin, migrations, (e) => this.io.log.error({ err: e }, 'helm upgrade failed'));
    const io = this.io;
    if (io.onStageStep) watchStageSteps(migrations, (step) => io.onStageStep?.(step, this.controls()));
    if (this.opts.calicoInstall !== 'operator') return;
    const operator = await startTigeraOperator(this.admin);
    this.closers.push(() => operator.stop());
  }

  /** `--full` only. */
  fullSummary(): Promise<FullRunSummary | undefined> {
    if (!this.opts.full) return Promise.resolve(undefined);
    return fullRunSummary(this.admin, {
      migration: this.migration,
      nodes: this.ownNodes().map((n) => n.metadata?.name ?? ''),
      host: (n) => this.fleet?.host(n),
      calicoInstall: this.opts.calicoInstall,
    });
  }

  summarize(end: RolloutEnd, wallMs: number): DemoSummary {
    const phases = this.ownNodes().map(phaseOf);
    const migrated = phases.filter((p) => p === 'Done').length;
    return {
      nodes: phases.length,
      migrated,
      failed: phases.filter((p) => p === 'Halted' || p === 'RolledBack').length,
      halted: end.kind === 'halted' ? end.reason : null,
      maxInFlight: this.observer.maxInFlight,
      maxRebootsPerNode: this.observer.maxRebootsPerNode(),
      handoffMs: this.observer.handoffMs(),
      apiRequestsPerNode: apiRequestsPerNode(this.sim.api?.requestCounts(), this.evictedPods, migrated),
      wallMs,
    };
  }

  async close(): Promise<void> {
    for (const close of this.closers.reverse()) await close().catch(() => undefined);
    await this.sim.close();
  }
}

/** The full run succeeded: Complete, every node cleaned exactly once and nothing of Calico left. */
const fullRunClean = (f: FullRunSummary | undefined): boolean => !f || f.stage === 'Complete/Done' && f.cleanup.every((c) => c.left === 0 && c.cleanups === 1);

function judge(summary: DemoSummary, plan: ScenarioPlan): boolean {
  if (!plan.expectHalt) return summary.halted === null && summary.migrated === summary.nodes;
  const mentions = plan.haltMentions === undefined || (summary.halted ?? '').toLowerCase().includes(plan.haltMentions);
  return summary.halted !== null && mentions;
}

export async function runDemo(opts: DemoOptions, io: DemoIo): Promise<DemoResult> {
  const started = Date.now();
  const plan = planScenario(opts.scenario);
  const sim = await startSimCluster(
    {
      nodes: opts.nodes,
      seed: opts.seed,
      rebootDowntimeMs: 50,
      ciliumReadyDelayMs: 20,
      ...(opts.kubeconfig ? { kubeconfig: opts.kubeconfig, nodePrefix: 'demo' } : {}),
      shape: { calicoInstall: opts.calicoInstall },
    },
    io.log.child({ component: 'sim' }),
  );
  const session = new DemoSession(sim, opts, io, plan);
  const view = io.tty ? ttyWriter(io.out) : plainWriter(io.out);
  try {
    await session.prepare();
    await session.startCoordinators();
    await session.startAgents();
    await session.watchCluster(view);
    const end = await session.runRollout(Math.max(120_000, opts.nodes * 3000));
    view.update(session.viewState());
    const summary = session.summarize(end, Date.now() - started);
    const counts = sim.api?.requestCounts();
    const full = await session.fullSummary();
    return {
      summary,
      ...(full ? { full } : {}),
      ok: judge(summary, plan) && fullRunClean(full),
      coordinatorRestarts: session.coordinators?.restarts ?? 0,
      apiRequests: counts && toolRequests(counts),
    };
  } finally {
    view.close();
    await session.close();
  }
}
