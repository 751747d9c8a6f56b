/**
 * The leader's reconcile loop. Every watch event, agent report, finished action and deadline wakes it;
 * one pass reads each node's recorded state, asks the pure core what comes next, writes the intent to
 * the Node, then hands the actions to the executor; then it grants free slots and writes the Migration
 * status. Passes never overlap; a wake during a pass causes exactly one more.
 */
import type { CoordinatorConfig } from '../../shared/config.js';
import { describeError } from '../../shared/errors.js';
import { nodeLogger, type Logger } from '../../shared/logger.js';
import { isTerminal, type Phase } from '../../shared/phases.js';
import type { Transition } from '../core/decision.js';
import { advance, isNotable, type Advance } from '../core/advance.js';
import { readNodeState, type NodeState } from '../core/node-state.js';
import { observe, type AgentReport } from '../core/observe.js';
import { orderFor } from '../core/orders.js';
import { grantCandidates, migrationOrder } from '../core/ordering.js';
import type { NodeKind } from '../core/peers.js';
import { PeerSource } from './peer-source.js';
import { planGrants } from '../core/slots.js';
import { rolloutHaltReason, summarizeStatus } from '../core/status.js';
import type { Condition } from '../core/migration-spec.js';
import { ciliumRolloutProblem } from '../core/cilium-rollout.js';
import { haltDeadlineOf } from '../core/steps.js';
import { wantsGrant } from '../core/transition.js';
import type { Order } from '../../shared/api.js';
import { CILIUM_DAEMONSET, CILIUM_MIGRATION_LABEL, CILIUM_MIGRATION_LABEL_VALUE, CILIUM_NAMESPACE } from '../../shared/names.js';
import type { Cluster } from './cluster.js';
import { Executor } from './executor.js';
import type { SlotGrants } from './grants.js';
import type { MigrationMetrics } from './metrics.js';
import { NodeView } from './node-view.js';
import { RolloutScope } from './scope.js';
import { RolloutSource, settingsFor, summaryOf, type Rollout } from './rollout.js';

export interface ControllerDeps {
  cluster: Cluster;
  config: CoordinatorConfig;
  log: Logger;
  now: () => Date;
  grants: SlotGrants;
  metrics: MigrationMetrics;
  agents: ReadonlyMap<string, AgentReport>;
  /** A node's phase (and so its order) may have changed. */
  orderChanged: (node: string) => void;
}

/**
 * While the rollout is paused, a node finishes the step it is in but does not start the next one (a halt
 * still happens, and an operator's retry or rollback of a halted node still proceeds).
 */
function heldByPause(rollout: Rollout, t: Transition): boolean {
  if (!rollout.spec?.paused) return false;
  return t.to !== 'Halted' && t.from !== 'Halted' && t.from !== 'RolledBack';
}

/** Only a node that may start validating in this pass needs peers (a reboot may complete straight into it). */
const needsPeers = (s: NodeState): boolean =>
  ['Rebooting', 'WaitingReady', 'RollbackRebooting', 'RollbackWaitingReady'].includes(s.phase) ||
  (s.phase === 'Halted' && s.request === 'retry');

/** The Migration status is written at most this often (and only when it changed). */
const STATUS_MIN_INTERVAL_MS = 1000;

export class Controller {
  readonly view: NodeView;
  private readonly rollout: RolloutSource;
  private readonly scope: RolloutScope;
  private executor: Executor;
  private dirty = false;
  private running: Promise<void> | undefined;
  private stopped = true;
  private deadlineTimer: NodeJS.Timeout | undefined;
  private readonly retryTimers = new Set<NodeJS.Timeout>();
  private lastStatus = '';
  private lastStatusAt = 0;
  private statusTimer: NodeJS.Timeout | undefined;
  /**
   * The conditions this controller last wrote. Only the leader writes status, so these are newer than the
   * watched copy, which may lag a write or two behind: deriving transition times from a stale copy made
   * two writes ping-pong forever.
   */
  private lastConditions: Condition[] | undefined;
  private readonly peers: PeerSource;
  private ciliumProblem: string | undefined;

  constructor(private readonly d: ControllerDeps) {
    this.view = new NodeView(d.cluster.nodeCache);
    this.rollout = new RolloutSource(d.cluster.migrationCache);
    this.scope = new RolloutScope(d.cluster.nodes, this.view);
    this.peers = new PeerSource((node) => d.cluster.pods.watchNodePods(node), d.log);
    this.executor = this.newExecutor();
  }

  /** A fresh executor per term of leadership (a stopped one never acts again). */
  private newExecutor(): Executor {
    const d = this.d;
    return new Executor({
      cluster: d.cluster,
      grants: d.grants,
      log: d.log,
      now: d.now,
      drainOptions: () => {
        const drain = this.rollout.read().spec?.drain;
        return { force: drain?.force ?? false, deleteEmptyDirData: drain?.deleteEmptyDirData ?? false };
      },
      wroteNode: (n) => this.view.wrote(n),
      wake: (_node, afterMs) => this.wake(afterMs),
    });
  }

  start(): void {
    this.stopped = false;
    this.executor = this.newExecutor();
    this.wake();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.executor.stop();
    clearTimeout(this.deadlineTimer);
    clearTimeout(this.statusTimer);
    this.statusTimer = undefined;
    this.retryTimers.forEach((t) => clearTimeout(t));
    await this.running;
    await this.peers.stop();
  }

  /** Schedules a pass (now, or after `afterMs` for a retry). */
  wake(afterMs?: number): void {
    if (this.stopped) return;
    if (afterMs !== undefined) {
      const t = setTimeout(() => {
        this.retryTimers.delete(t);
        this.wake();
      }, afterMs);
      this.retryTimers.add(t);
      return;
    }
    this.dirty = true;
    this.running ??= this.loop().finally(() => {
      this.running = undefined;
    });
  }

  stateOf(node: string): NodeState {
    return readNodeState(node, this.view.get(node)?.metadata?.annotations);
  }

  orderOf(node: string): Order | null {
    const spec = this.rollout.read().spec;
    const dnsName = spec?.validation.dnsName ?? this.d.config.dnsName;
    const checkImage = spec?.validation.checkImage;
    return orderFor(this.stateOf(node), { dnsName, checkImage, validateTimeoutSeconds: this.d.config.validateTimeoutSeconds });
  }

  private async loop(): Promise<void> {
    while (this.dirty && !this.stopped) {
      this.dirty = false;
      try {
        await this.pass();
      } catch (e) {
        this.d.log.error({ err: describeError(e) }, 'reconcile pass failed; retrying');
        this.wake(1000);
      }
    }
  }

  private async pass(): Promise<void> {
    const rollout = this.rollout.read();
    const scope = await this.scope.names(rollout.spec);
    this.peers.newPass(this.migrationOrderOf(scope, rollout), this.view.names());
    const states = new Map<string, NodeState>();
    for (const name of this.view.names()) states.set(name, await this.reconcileNode(name, rollout));
    await this.grantFreeSlots(states, rollout, scope);
    await this.writeStatus(states, rollout, scope);
    this.armDeadline(states, rollout);
  }

  private async reconcileNode(name: string, rollout: Rollout): Promise<NodeState> {
    const state = this.stateOf(name);
    const granted = this.d.grants.holds(name);
    if (state.phase === 'Pending' && !granted) return state;
    try {
      const obs = observe(name, {
        node: this.view.get(name),
        ciliumPods: this.d.cluster.ciliumPods.list(),
        granted,
        drain: this.executor.drainOutcome(name, state.attempt),
        agent: this.d.agents.get(name),
        peerCandidates: needsPeers(state) ? await this.peersFor(name) : [],
      });
      const settings = settingsFor(this.d.config, rollout.spec);
      const next = advance({ state, obs, now: this.d.now(), settings, allowed: (t) => !heldByPause(rollout, t) });
      if (Object.keys(next.patch).length > 0 || Object.keys(next.effects).length > 0) await this.record(name, state, next);
      this.executor.run(next.state, next.actions);
      return next.state;
    } catch (e) {
      nodeLogger(this.d.log, name, state.phase).warn({ err: describeError(e) }, 'reconcile failed; retrying');
      this.wake(1000);
      return state;
    }
  }

  /** One patch: the intent (annotations) and its effect (cordon, label) together. */
  private async record(name: string, before: NodeState, next: Advance): Promise<void> {
    const { unschedulable, labeled } = next.effects;
    this.view.wrote(
      await this.d.cluster.nodes.patch(name, {
        annotations: next.patch,
        ...(unschedulable !== undefined ? { unschedulable } : {}),
        ...(labeled !== undefined ? { labels: { [CILIUM_MIGRATION_LABEL]: labeled ? CILIUM_MIGRATION_LABEL_VALUE : null } } : {}),
      }),
    );
    if (next.transitions.length === 0) return;
    const now = this.d.now();
    let since = before.phaseSince;
    for (const t of next.transitions) {
      this.d.metrics.transition(t.from, t.to, since ? (now.getTime() - since.getTime()) / 1000 : undefined);
      since = now;
      const log = nodeLogger(this.d.log, name, t.to);
      if (t.warning) log.warn({ from: t.from, attempt: next.state.attempt }, t.message);
      else log.info({ from: t.from, attempt: next.state.attempt }, t.message);
      if (isNotable(t)) this.emitEvent(name, t, log);
    }
    this.d.orderChanged(name);
  }

  private emitEvent(name: string, t: Transition, log: Logger): void {
    const uid = this.view.get(name)?.metadata?.uid;
    this.d.cluster.events
      .emit({ node: name, nodeUid: uid, reason: `CNIMigration${t.to}`, message: t.message, warning: t.warning })
      .catch((e: unknown) => log.warn({ err: describeError(e) }, 'could not emit Event'));
  }

  private async peersFor(self: string): Promise<string[]> {
    const kindOf = (node: string): NodeKind | undefined => {
      const phase = this.stateOf(node).phase;
      if (phase === 'Done') return 'cilium';
      return phase === 'Pending' || phase === 'RolledBack' ? 'calico' : undefined;
    };
    return this.peers.peersFor(self, kindOf);
  }

  private migrationOrderOf(scope: string[], rollout: Rollout): string[] {
    const nodes = scope.map((n) => this.view.get(n)).filter((n) => n !== undefined).map(summaryOf);
    return migrationOrder(nodes, { includeControlPlane: rollout.spec?.includeControlPlane ?? true, selfNode: this.d.config.nodeName });
  }

  /** Pending nodes in grant order, or none while the rollout is absent, paused or halted. */
  private pendingCandidates(states: Map<string, NodeState>, rollout: Rollout, scope: string[]): string[] {
    const spec = rollout.spec;
    const halted = rolloutHaltReason([...states.values()]) !== undefined || rollout.specError !== undefined;
    if (!spec || spec.paused || halted) return [];
    const phaseOf = (n: string): Phase => states.get(n)?.phase ?? 'Pending';
    return grantCandidates({
      nodes: scope.map((n) => this.view.get(n)).filter((n) => n !== undefined).map(summaryOf),
      pending: new Set(scope.filter((n) => phaseOf(n) === 'Pending')),
      finished: new Set(scope.filter((n) => isTerminal(phaseOf(n)))),
      opts: { includeControlPlane: spec.includeControlPlane, selfNode: this.d.config.nodeName },
    });
  }

  /** Why no new node may start now: the Cilium DaemonSet is not rolled out everywhere. */
  private checkCilium(): string | undefined {
    const problem = ciliumRolloutProblem(this.d.cluster.ciliumDaemonSet.get(CILIUM_DAEMONSET, CILIUM_NAMESPACE));
    if (problem !== this.ciliumProblem) this.d.log.info({ problem }, problem ? 'waiting for Cilium' : 'Cilium rolled out');
    this.ciliumProblem = problem;
    return problem;
  }

  private async grantFreeSlots(states: Map<string, NodeState>, rollout: Rollout, scope: string[]): Promise<void> {
    const urgent = [...states.values()].filter((s) => s.phase !== 'Pending' && wantsGrant(s)).map((s) => s.name);
    const holders = this.d.grants.holders();
    const concurrency = rollout.spec?.concurrency ?? 1;
    const free = holders.size < concurrency;
    const pending = free ? this.grantablePending(states, rollout, scope) : [];
    const grants = planGrants({ holders, concurrency, candidates: [...urgent, ...pending] });
    for (const g of grants) {
      await this.d.grants.grant(g.slot, g.node);
      nodeLogger(this.d.log, g.node, states.get(g.node)?.phase ?? 'Pending').info({ slot: g.slot }, 'granted');
      this.dirty = true;
    }
  }

  /**
   * Pending nodes that may start now: none while Cilium is not rolled out; and a node whose pods are peers
   * of a validation still running (concurrency > 1) waits, with every node after it.
   */
  private grantablePending(states: Map<string, NodeState>, rollout: Rollout, scope: string[]): string[] {
    const pending = this.pendingCandidates(states, rollout, scope);
    if (pending.length === 0 || this.checkCilium()) return [];
    return this.peers.grantable(pending, states.values());
  }

  private async writeStatus(states: Map<string, NodeState>, rollout: Rollout, scope: string[]): Promise<void> {
    if (!rollout.spec && !rollout.specError) return;
    const inScope = new Set(scope);
    const nodes = [...states.values()].filter((s) => inScope.has(s.name) || s.phase !== 'Pending');
    const status = summarizeStatus({
      nodes,
      paused: rollout.spec?.paused ?? false,
      specError: rollout.specError,
      previousConditions: this.lastConditions ?? rollout.previousConditions,
      ciliumProblem: this.ciliumProblem,
      now: this.d.now(),
    });
    const key = JSON.stringify({ ...status, nodes: status.nodes.map((n) => ({ ...n, durationSeconds: 0 })) });
    if (key === this.lastStatus) return;
    const wait = this.lastStatusAt + STATUS_MIN_INTERVAL_MS - Date.now();
    if (wait > 0) {
      this.statusTimer ??= setTimeout(() => {
        this.statusTimer = undefined;
        this.wake();
      }, wait);
      return;
    }
    await this.d.cluster.migration.patchStatus(status);
    this.lastStatus = key;
    this.lastStatusAt = Date.now();
    this.lastConditions = status.conditions;
  }

  private armDeadline(states: Map<string, NodeState>, rollout: Rollout): void {
    const settings = settingsFor(this.d.config, rollout.spec);
    const now = this.d.now().getTime();
    const next = [...states.values()]
      .filter((s) => s.phase !== 'Pending' && s.phase !== 'Halted' && !isTerminal(s.phase))
      .map((s) => haltDeadlineOf(s, settings)?.getTime() ?? Infinity)
      .filter((t) => t > now)
      .reduce((a, b) => Math.min(a, b), Infinity);
    clearTimeout(this.deadlineTimer);
    if (next !== Infinity && !this.stopped) {
      this.deadlineTimer = setTimeout(() => this.wake(), Math.max(0, next - now) + 5);
    }
  }
}
