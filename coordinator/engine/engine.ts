/**
 * The migration engine: leader election, the reconcile loop (leader only) and the agents' directory.
 *
 * Operator interface (all Kubernetes-native, also driven by `cni-migrate status|pause|resume|retry|rollback`):
 * - `Migration default` (migrations.cni-migrate.io) spec: `paused`, `concurrency`, `nodeSelector`,
 *   `includeControlPlane`, `autoRollback`, `drain`, `validation`; the engine writes its status.
 * - Node annotation `cni-migrate.io/request: retry|rollback` on a Halted node: retry goes back to the failed
 *   step, rollback takes the rollback path; on a RolledBack node, retry migrates it again. The engine clears it.
 * A Halted node (or one rolled back automatically) halts the rollout: no new node is granted until it is
 * retried or rolled back. Nodes already in flight finish their current step sequence.
 *
 * Everything is recorded in the Node annotations, the slot Leases and the Migration object, so a new engine
 * (after a crash, or on another replica) resumes exactly where the last one was.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { ObservedNode, ObservedPod } from '../core/observed-objects.js';
import type { MigrationObject } from '../kube/migration.js';
import type { Heartbeat, Order, OrderResult, RegisterRequest } from '../../shared/api.js';
import type { CoordinatorConfig } from '../../shared/config.js';
import { CniMigrateError, describeError } from '../../shared/errors.js';
import { retryTransient } from '../../shared/retry-transient.js';
import type { Logger } from '../../shared/logger.js';
import type { Phase } from '../../shared/phases.js';
import type { AgentReport } from '../core/observe.js';
import { readNodeState } from '../core/node-state.js';
import type { AgentDirectory, ProbeDirectory } from '../ports.js';
import type { ProbeAnswer, ProbeReport } from '../../shared/probe.js';
import { clusterFromKubeConfig, type Cluster } from './cluster.js';
import { Controller } from './controller.js';
import { OrderDeliveries } from './deliveries.js';
import { recordedResult } from './results.js';
import { SlotGrants } from './grants.js';
import { LeaderElector } from './leader.js';
import { MigrationMetrics } from './metrics.js';
import { Waiters } from './wait.js';
import { nodeFingerprint, podFingerprint, wakeOnRelevantChange } from './wake-filter.js';
import { fenceWrites } from './write-fence.js';
import type { Registry } from 'prom-client';

export interface EngineSnapshot {
  leader: boolean;
  nodes: { name: string; phase: Phase; attempt: number; reason?: string }[];
  grants: { slot: number; node: string }[];
}

export interface Engine extends AgentDirectory, ProbeDirectory {
  stop(): Promise<void>;
  /**
   * Dies at once as a killed process would (tests and the demo): every timer, watch and loop stops, and
   * nothing the old engine still has in flight writes to the API again; no Lease is released.
   */
  crash(): void;
  isLeader(): boolean;
  /** Why the engine looks stuck (no election round finished for far longer than a round takes), else undefined. */
  stuck(): string | undefined;
  snapshot(): EngineSnapshot;
  /** What the watches hold, and the nodes the rollout covers (in migration order, as the last pass saw them). */
  observed(): { migration: MigrationObject | undefined; nodes: readonly ObservedNode[]; scope: readonly string[] };
  readonly metrics: Registry;
}

export interface EngineDeps {
  kc: KubeConfig;
  config: CoordinatorConfig;
  log: Logger;
  identity: string;
  now?: () => Date;
  /** Aborting it during start-up (a start-up deadline) stops every watch started so far. */
  signal?: AbortSignal;
}

export interface EngineWithClusterDeps extends Omit<EngineDeps, 'kc'> {
  cluster: Cluster;
}

/** A new leader retries a transient failure of its read of the grant Leases for this share of the Lease duration. */
const RETRY_GRANTS_READ_RATIO = 1 / 3;
/** A round runs every third of the Lease duration; this many durations without one means a hung API call or loop. */
const STUCK_AFTER_LEASE_DURATIONS = 4;

class MigrationEngine implements Engine {
  private readonly agents = new Map<string, AgentReport>();
  private readonly waiters = new Waiters();
  private readonly metricsSet = new MigrationMetrics();
  private readonly grants: SlotGrants;
  private readonly controller: Controller;
  private readonly elector: LeaderElector;
  private readonly deliveries: OrderDeliveries;
  private readonly unsubscribe: (() => void)[] = [];
  private leading = false;
  private stopped = false;
  private dead = false;
  private readonly cluster: Cluster;
  private readonly startedAt: Date;

  constructor(private readonly d: EngineWithClusterDeps & { now: () => Date }) {
    const { config, log, now } = d;
    this.startedAt = now();
    const cluster = fenceWrites(d.cluster, () => !this.dead);
    this.cluster = cluster;
    this.grants = new SlotGrants(cluster.leases, config.leaseDurationSeconds, now, log);
    this.controller = new Controller({
      cluster, config, log, now,
      grants: this.grants,
      metrics: this.metricsSet,
      agents: this.agents,
      orderChanged: (node) => this.waiters.notify(node),
    });
    this.deliveries = new OrderDeliveries({ cluster, config, view: this.controller.view, stateOf: (n) => this.controller.stateOf(n), agents: this.agents, now, log });
    const address = config.advertiseAddress ? `${config.advertiseAddress}:${config.port}` : undefined;
    this.elector = new LeaderElector({
      leases: cluster.leases, identity: d.identity, durationSeconds: config.leaseDurationSeconds, address, now, log,
      onStartedLeading: () => void this.lead(),
      onStoppedLeading: () => void this.follow(),
    });
  }

  get metrics(): Registry {
    return this.metricsSet.registry;
  }

  async start(signal?: AbortSignal): Promise<void> {
    const c = this.cluster;
    signal?.addEventListener('abort', () => void this.stopWatches().catch(() => undefined), { once: true });
    const wake = (): void => this.controller.wake();
    // A Node or Cilium pod event concerns one node: a pass of that node, not of every node.
    const nodeChanged = (n: ObservedNode): void => this.controller.nodeChanged(n.metadata?.name ?? '');
    const podChanged = (p: ObservedPod): void => {
      const node = p.spec?.nodeName;
      if (node) this.controller.wakeNode(node);
      else wake();
    };
    this.unsubscribe.push(
      // The echo of the engine's own Node patch wakes nothing: the reconcile that wrote it read the reply and went on.
      wakeOnRelevantChange(c.nodeCache, nodeFingerprint, nodeChanged, (n) => this.controller.view.isOwnWrite(n)),
      wakeOnRelevantChange(c.ciliumPods, podFingerprint, podChanged),
      // The spec decides every node's step; the status (this leader's own writes, mostly) only the rollout's.
      wakeOnRelevantChange(c.migrationCache, (m) => JSON.stringify(m.spec ?? null), wake),
      c.migrationCache.onChange(() => this.controller.wakeRollout()),
      c.ciliumDaemonSet.onChange(() => this.controller.wakeRollout()),
    );
    await Promise.all([c.nodeCache.start(), c.ciliumPods.start(), c.migrationCache.start(), c.ciliumDaemonSet.start()]);
    if (signal?.aborted) {
      this.crash();
      throw new CniMigrateError('DeadlineExceeded', 'engine start-up abandoned');
    }
    this.elector.start();
  }

  private async lead(): Promise<void> {
    try {
      // A transient failure (one 503) is read again while the term is young; giving the Lease up costs a takeover.
      const until = Date.now() + this.d.config.leaseDurationSeconds * 1000 * RETRY_GRANTS_READ_RATIO;
      await retryTransient(() => this.grants.load(), until);
    } catch (e) {
      if (this.dead) return;
      this.d.log.error({ err: describeError(e) }, 'could not read the grant Leases; stepping down');
      await this.elector.stop();
      this.elector.start();
      return;
    }
    // The term may have ended while the grants were read (a slow read under load): leading now would act
    // beside the next leader, so only a replica still holding the Lease starts the controller.
    if (this.dead || !this.elector.isLeader()) return;
    this.leading = true;
    this.controller.start();
    this.waiters.notifyAll();
  }

  private async follow(): Promise<void> {
    this.leading = false;
    await this.controller.stop();
    this.waiters.notifyAll();
  }

  isLeader(): boolean {
    return this.leading;
  }

  stuck(): string | undefined {
    if (this.stopped) return undefined;
    const since = this.elector.lastRoundAt() ?? this.startedAt;
    const silentMs = this.d.now().getTime() - since.getTime();
    const limitMs = STUCK_AFTER_LEASE_DURATIONS * this.d.config.leaseDurationSeconds * 1000;
    return silentMs > limitMs ? `no leader election round finished for ${Math.round(silentMs / 1000)}s` : undefined;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe.forEach((u) => u());
    await this.elector.stop();
    await this.follow();
    this.deliveries.stop();
    await this.stopWatches();
  }

  crash(): void {
    this.dead = true;
    this.stopped = true;
    this.leading = false;
    this.unsubscribe.forEach((u) => u());
    this.elector.abandon();
    this.deliveries.stop();
    void this.controller.stop();
    this.waiters.notifyAll();
    void this.stopWatches().catch(() => undefined);
  }

  private async stopWatches(): Promise<void> {
    const c = this.cluster;
    await Promise.all([c.nodeCache.stop(), c.ciliumPods.stop(), c.migrationCache.stop(), c.ciliumDaemonSet.stop()]);
  }

  observed(): { migration: MigrationObject | undefined; nodes: readonly ObservedNode[]; scope: readonly string[] } {
    return { migration: this.cluster.migrationCache.list()[0], nodes: this.cluster.nodeCache.list(), scope: this.controller.scopeNames() };
  }

  snapshot(): EngineSnapshot {
    const nodes = this.controller.view.names().map((name) => {
      const s = this.controller.stateOf(name);
      return { name, phase: s.phase, attempt: s.attempt, ...(s.haltReason ? { reason: s.haltReason } : {}) };
    });
    const grants = [...this.grants.holders()].map(([slot, node]) => ({ slot, node })).sort((a, b) => a.slot - b.slot);
    return { leader: this.leading, nodes, grants };
  }

  nodeCount(): number {
    return this.controller.view.names().length;
  }

  register(req: RegisterRequest): Promise<void> {
    this.report(req.nodeName, { bootId: req.bootId, heardAt: this.d.now() });
    return Promise.resolve();
  }

  heartbeat(hb: Heartbeat): Promise<void> {
    this.report(hb.nodeName, { bootId: hb.bootId, heardAt: this.d.now() });
    return Promise.resolve();
  }

  private report(node: string, r: AgentReport): void {
    const before = this.agents.get(node);
    this.agents.set(node, before?.delivered ? { ...r, delivered: before.delivered } : r);
    if (before?.bootId !== r.bootId) this.controller.wakeNode(node);
  }

  /** Only the leader keeps the probe's figures (the Service sends probe pods to it); a follower refuses. */
  probeReport(report: ProbeReport): Promise<ProbeAnswer> {
    if (!this.leading) return Promise.reject(new CniMigrateError('Conflict', 'not the leader: probe report not recorded; send it again'));
    return Promise.resolve(this.controller.probe.record(report));
  }

  private currentOrder(node: string): Order | null {
    return this.leading ? this.controller.orderOf(node) : null;
  }

  async order(nodeName: string, after: string | undefined, signal: AbortSignal): Promise<Order | null> {
    const agent = this.agents.get(nodeName);
    if (agent) agent.heardAt = this.d.now();
    for (;;) {
      const o = this.currentOrder(nodeName);
      if (o && o.id !== after) {
        this.deliveries.delivered(nodeName, o);
        return o;
      }
      if (signal.aborted || this.stopped) return null;
      await this.waiters.next(nodeName, signal);
    }
  }

  /** The reboot ordered for `bootId` went ahead: it succeeded, or the node's boot id as last seen (its Node's status, else its agent's report) is another. */
  private rebootWentAhead(res: OrderResult, bootId: string): boolean {
    if (res.outcome === 'succeeded') return true;
    const seen = this.controller.view.get(res.nodeName)?.status?.nodeInfo?.bootID || this.agents.get(res.nodeName)?.bootId || undefined;
    return seen !== undefined && seen !== bootId;
  }

  /**
   * Records the result of the node's current order; false for a stale one. A replica that does not lead
   * cannot tell stale from current, so it refuses (409): the agent's session then fails, it registers
   * again and the leader redelivers the order, which the agent answers with this same result. (Answering
   * false here lost the result of an order run across a coordinator crash: the agent took it as stale.)
   */
  async result(res: OrderResult): Promise<boolean> {
    if (!this.leading) throw new CniMigrateError('Conflict', `not the leader: result of ${res.orderId} not recorded; report it again`);
    const current = this.currentOrder(res.nodeName);
    if (!current || current.id !== res.orderId) return false;
    // Already on the Node (a report sent again); one still on its way joins the write it waits for.
    const written = readNodeState(res.nodeName, this.controller.view.get(res.nodeName)?.metadata?.annotations);
    if (written.lastResult?.orderId === res.orderId) return true;
    // A reboot that went ahead shows in the new boot id: only its failure needs recording. An order delivered
    // again after the reboot is refused for the new boot id: the reboot went ahead, nothing to record either.
    if (current.kind === 'reboot' && this.rebootWentAhead(res, current.ifBootId)) return true;
    await this.controller.recordResult(res.nodeName, res.orderId, recordedResult(res));
    return true;
  }
}

/** Starts an engine over a given cluster (the tests' scripted cluster, or the real one). */
export async function startEngineWith(deps: EngineWithClusterDeps): Promise<Engine> {
  const engine = new MigrationEngine({ ...deps, now: deps.now ?? (() => new Date()) });
  await engine.start(deps.signal);
  return engine;
}

/** Starts an engine against the cluster `kc` points at. Several may run in one process (one leads). */
export async function startEngine(deps: EngineDeps): Promise<Engine> {
  const now = deps.now ?? (() => new Date());
  const cluster = clusterFromKubeConfig(deps.kc, deps.log, {
    namespace: deps.config.namespace,
    migrationName: deps.config.migrationName,
    host: deps.config.nodeName,
    now,
  });
  return startEngineWith({ ...deps, now, cluster });
}
