/**
 * The leader's reconcile: read → decide → write, per node and per rollout. An event about one node (its
 * Node or Cilium pod, its agent, an action or result of its own) reconciles that node alone (NodeWorkers):
 * it reads the recorded state (NodeStates) and what is observed, asks the pure core for the next step
 * (`decideStep`), records the intent on the Node with the order result it answers (StepRecorder), hands the
 * actions to the executor, puts the node's new state in the rollout's index and wakes a rollout pass
 * (PassLoop). A rollout pass asks the core which nodes get a grant (`decideNext` over that index, in
 * RolloutGrants), writes the grants and the Migration status (computed at most once a second), and arms the
 * next deadline: it never reads every node. A full pass (at the start of a term, and when the spec, the
 * scope or a cluster-level gate may have changed, or a deadline passed) reconciles every node first. The
 * executor, the pre-flight checks and the stage runner run per Term of leadership.
 */
import type { CoordinatorConfig } from '../../shared/config.js';
import { describeError } from '../../shared/errors.js';
import { nodeLogger, type Logger } from '../../shared/logger.js';
import type { Order } from '../../shared/api.js';
import type { NodeState } from '../core/node-state.js';
import { ciliumPodOn, observe, type AgentReport } from '../core/observe.js';
import { orderFor } from '../core/orders.js';
import { needsPeers, peerKindOf } from '../core/peers.js';
import { decideStep, pausedByCanary, releaseFreedSlots, type Gate, type Hold, type RolloutDecision } from '../core/rollout.js';
import { RolloutIndex } from '../core/rollout-index.js';
import { countPastHaltDeadline, lastPassedHaltDeadline, nextHaltDeadline } from '../core/halt-deadlines.js';
import type { CiliumPodObservation, Settings } from '../core/decision.js';
import { ProbeLedger } from './probe-ledger.js';
import type { Cluster } from './cluster.js';
import type { SlotGrants } from './grants.js';
import { HoldLog } from './hold-log.js';
import type { MigrationMetrics } from './metrics.js';
import { NodeStates } from './node-states.js';
import { NodeView } from './node-view.js';
import { NodeWorkers } from './node-workers.js';
import { PassLoop, type PassWork } from './pass-loop.js';
import { PeerSource } from './peer-source.js';
import { PodsByNode } from './pods-by-node.js';
import { RolloutNodes } from './rollout-nodes.js';
import { RolloutScope } from './scope.js';
import { RolloutSource, settingsFor, type Rollout } from './rollout.js';
import { RolloutGrants } from './rollout-grants.js';
import { StatusWriter } from './status-writer.js';
import { StepRecorder } from './step-recorder.js';
import { Term } from './term.js';
import type { StageRecord } from '../core/stages/record.js';

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

const RETRY_FAILED_NODE_MS = 1000;

/** Not started, or finished and asking for nothing: unless it holds a grant, a pass has nothing to do for it. */
const settled = (s: NodeState): boolean => s.phase === 'Pending' || ((s.phase === 'Done' || s.phase === 'RolledBack') && s.request === undefined);

export class Controller {
  readonly view: NodeView;
  private readonly rollout: RolloutSource;
  private readonly scope: RolloutScope;
  private lastOrder: readonly string[] = [];
  private inScope: ReadonlySet<string> = new Set();
  /** Every known node as the rollout decision reads it, updated as each node is reconciled. */
  private index = new RolloutIndex();
  /** The next full pass is the term's first: it waits for every node's reconcile before it decides. */
  private firstPass = true;
  /** The halt deadline each node was last woken for (see `wakeDue`). */
  private readonly dueWoken = new Map<string, number>();
  /** The nodes in the index (to forget those that left the cluster). */
  private readonly indexed = new Set<string>();
  /** The nodes in flight that `spec.paused` holds in their step. */
  private readonly pauseHolds = new Map<string, Hold>();
  private readonly peers: PeerSource;
  private readonly loop: PassLoop;
  private readonly workers: NodeWorkers;
  private readonly status: StatusWriter;
  private readonly holds: HoldLog;
  private readonly steps: StepRecorder;
  private readonly states: NodeStates;
  private readonly term: Term;
  private readonly rolloutGrants: RolloutGrants;
  /** The zero-downtime probe's figures; its breaches halt the node in flight. */
  readonly probe: ProbeLedger;
  /** Kept from the watch for the controller's whole life: a term that ends and a later one both read it. */
  private readonly ciliumPods: PodsByNode;
  private readonly rolloutNodes = new RolloutNodes();

  constructor(private readonly d: ControllerDeps) {
    this.view = new NodeView(d.cluster.nodeCache);
    this.ciliumPods = new PodsByNode(d.cluster.ciliumPods);
    this.rollout = new RolloutSource(d.cluster.migrationCache, d.config.migrationName);
    this.scope = new RolloutScope(d.cluster.nodes, this.view);
    this.peers = new PeerSource((node) => d.cluster.pods.watchNodePods(node), d.log);
    this.loop = new PassLoop((work) => this.pass(work), d.log);
    this.workers = new NodeWorkers((node) => this.reconcile(node), d.log);
    this.status = new StatusWriter(d.cluster.migration, () => this.loop.wakeRollout(), d.log);
    this.holds = new HoldLog(d.log);
    this.steps = new StepRecorder({ ...d, view: this.view }, (node) => this.wakeNode(node));
    this.states = new NodeStates(this.view, this.steps.results);
    this.term = new Term({ ...d, view: this.view, rollout: this.rollout, wake: (ms) => this.wake(ms), wakeNode: (n, ms) => this.wakeNode(n, ms) });
    const stateOf = (n: string): NodeState => this.stateOf(n);
    const preflight = (): Gate | undefined => this.term.preflight.gate();
    const ciliumPodOf = (n: string): CiliumPodObservation | undefined => ciliumPodOn(n, this.ciliumPods.on(n));
    this.rolloutGrants = new RolloutGrants({ ...d, selfNode: d.config.nodeName, peers: this.peers, stateOf, ciliumPodOf, preflight, wake: (n) => this.wakeNode(n) });
    this.probe = new ProbeLedger({
      nodes: () => this.states.timelines(),
      limits: () => this.rollout.read().spec?.probe,
      now: d.now,
      metrics: d.metrics.probe,
      breached: () => this.wake(),
    });
  }

  start(): void {
    // A new term reads every node afresh: what an earlier term indexed may have changed under another leader.
    this.index = new RolloutIndex();
    this.indexed.clear();
    this.pauseHolds.clear();
    this.firstPass = true;
    this.term.start();
    this.workers.start();
    this.loop.start();
  }

  async stop(): Promise<void> {
    this.term.stop();
    await Promise.all([this.loop.stop(), this.workers.stop()]);
    this.steps.stop();
    await this.status.stop();
    await this.peers.stop();
  }

  /** Schedules a full pass (now, or after `afterMs` for a retry). */
  wake(afterMs?: number): void {
    this.loop.wake(afterMs);
  }

  /** Schedules a reconcile of one node (now, or after `afterMs` for a retry). */
  wakeNode(node: string, afterMs?: number): void {
    this.workers.wake(node, afterMs);
  }

  /** Schedules a rollout pass (a cluster-level gate may have opened): no node is read again. */
  wakeRollout(): void {
    this.loop.wakeRollout();
  }

  /** A watched Node changed: a pass of that node, or a full pass when the scope or the order may have changed. */
  nodeChanged(name: string): void {
    if (this.scope.changedLayout(name)) this.wake();
    else this.wakeNode(name);
  }

  stateOf(node: string): NodeState {
    return this.states.stateOf(node);
  }

  /** Resolves once the agent's result is written with the transition it causes (see StepRecorder). */
  recordResult(node: string, orderId: string, recorded: string): Promise<void> {
    return this.steps.recordResult(node, orderId, recorded);
  }

  orderOf(node: string): Order | null {
    const spec = this.rollout.read().spec;
    const dnsName = spec?.validation.dnsName ?? this.d.config.dnsName;
    const checkImage = spec?.validation.checkImage;
    const perNode = orderFor(this.stateOf(node), { dnsName, checkImage, validateTimeoutSeconds: this.d.config.validateTimeoutSeconds, cidrs: this.term.preflight.cidrs() });
    return perNode ?? this.term.stages?.orderOf(node, spec) ?? null;
  }

  /** The nodes in scope, in migration order, as the last pass saw them. */
  scopeNames(): readonly string[] {
    return this.lastOrder;
  }

  private async pass(work: PassWork): Promise<void> {
    const rollout = this.rollout.read();
    if (work.all) await this.layout(rollout);
    this.term.preflight.consider(rollout.spec, this.inScope, rollout.preflight);
    this.peers.newPass(this.lastOrder, this.view.names());
    if (work.all) await this.reconcileAll();
    const phaseOf = (n: string): string => this.index.get(n)?.state.phase ?? 'Pending';
    const freedAtDecision = this.d.grants.freedNow();
    const decision = await this.rolloutGrants.decide(rollout, this.index);
    await this.rolloutGrants.grant(decision, phaseOf);
    if (releaseFreedSlots(decision)) await this.d.grants.flushReleases(freedAtDecision);
    this.holds.update([...this.pauseHolds.values(), ...decision.held], phaseOf);
    const stage = await this.stagePass(rollout, work.all);
    this.writeStatus(rollout, decision, stage);
    const settings = settingsFor(this.d.config, rollout.spec);
    const inFlight = this.index.inFlight();
    this.wakeDue(inFlight, settings, this.d.now());
    this.loop.wakeAt(nextHaltDeadline(inFlight, settings, this.d.now()), this.d.now());
    this.d.metrics.rollout(this.status.halted(), countPastHaltDeadline(inFlight, settings, this.d.now()));
  }

  /**
   * Reconciles every node. The term's first pass waits for them all (its decision must not read an empty index);
   * a later one does not (each node's reconcile wakes a rollout pass when done).
   */
  private async reconcileAll(): Promise<void> {
    const names = this.view.names();
    if (!this.firstPass) return names.forEach((n) => this.workers.wake(n));
    this.firstPass = false;
    await Promise.all(names.map((n) => this.workers.run(n)));
  }

  /**
   * Reconciles each node whose halt deadline has passed, once per deadline: a pass between the deadline and its
   * timer replaces the timer, and a rollout pass does not read the node itself.
   */
  private wakeDue(states: readonly NodeState[], settings: Settings, now: Date): void {
    for (const s of states) {
      // A rebooting node has two: the reboot's, and the wait for Ready after it.
      const at = s.phase === 'Halted' ? undefined : lastPassedHaltDeadline(s, settings, now);
      if (at === undefined || this.dueWoken.get(s.name) === at) continue;
      this.dueWoken.set(s.name, at);
      this.wakeNode(s.name);
    }
  }

  /** Lays the rollout out again (scope, order); forgets the nodes that are gone. */
  private async layout(rollout: Rollout): Promise<void> {
    const { inScope, order } = await this.scope.layout(rollout.spec, this.d.config.nodeName);
    this.lastOrder = order;
    this.inScope = inScope;
    this.index.setOrder(order);
    const names = this.view.names();
    const known = new Set(names);
    for (const gone of this.indexed) if (!known.has(gone)) this.forget(gone);
  }

  private forget(name: string): void {
    this.index.remove(name);
    this.indexed.delete(name);
    this.pauseHolds.delete(name);
    this.dueWoken.delete(name);
  }

  /** One node: its next step when it has one, then its place in the index; the rollout is decided again. */
  private async reconcile(name: string): Promise<void> {
    const node = this.view.get(name);
    if (!node) {
      this.forget(name);
      this.loop.wakeRollout();
      return;
    }
    const rollout = this.rollout.read();
    const state = this.stateOf(name);
    const idle = this.idle(name, state);
    if (idle) this.pauseHolds.delete(name);
    this.indexNode(name, idle ? state : await this.stepNode(name, state, rollout));
    this.loop.wakeRollout();
  }

  private indexNode(name: string, state: NodeState): void {
    const node = this.view.get(name);
    if (!node) return;
    this.index.put(this.rolloutNodes.of(this.scope.summaryOf(node), state, this.inScope.has(name)));
    this.indexed.add(name);
  }

  /**
   * The cluster-level stages run once every node in scope is Done; before that (no stage recorded) a pass of
   * a few nodes does not look (the stages read every node's state).
   */
  private async stagePass(rollout: Rollout, full: boolean): Promise<StageRecord | undefined> {
    const stages = this.term.stages;
    if (rollout.specError || !stages) return undefined;
    if (!full && !this.index.allInScopeDone() && stages.current(rollout.stage) === undefined) return undefined;
    const states = new Map(this.view.names().map((n) => [n, this.index.get(n)?.state ?? this.stateOf(n)]));
    return stages.pass({ spec: rollout.spec, statusStage: rollout.stage, states, scope: [...this.lastOrder] });
  }

  /** Settled, holding no grant and with no result to record: nothing for a pass to do for it. */
  private idle(name: string, state: NodeState): boolean {
    return settled(state) && !this.d.grants.holds(name) && Object.keys(this.steps.resultOf(name)).length === 0;
  }

  /** Read one node, decide its next step, record the intent, start the actions. */
  private async stepNode(name: string, state: NodeState, rollout: Rollout): Promise<NodeState> {
    const granted = this.d.grants.holds(name);
    const result = this.steps.resultOf(name);
    try {
      const obs = observe(name, {
        node: this.view.get(name),
        ciliumPods: this.ciliumPods.on(name),
        granted,
        drain: this.term.executor.drainOutcome(name, state.attempt),
        agent: this.d.agents.get(name),
        peerCandidates: needsPeers(state) ? await this.peers.peersFor(name, (n) => peerKindOf(this.stateOf(n).phase, this.d.grants.holds(n))) : [],
        probeBreach: this.probe.breachOf(name, state.attempt),
      });
      const settings = settingsFor(this.d.config, rollout.spec);
      const { step, held: pausedReason } = decideStep({ state, obs, now: this.d.now(), settings, paused: rollout.spec?.paused ?? false });
      if (pausedReason) this.pauseHolds.set(name, { node: name, by: 'paused', reason: pausedReason });
      else this.pauseHolds.delete(name);
      await this.steps.record(state, step, result);
      // Indexed before its actions run: a slot the step frees is never seen free beside the node still in flight.
      this.indexNode(name, step.state);
      this.term.executor.run(step.state, step.actions);
      return step.state;
    } catch (e) {
      this.steps.failed(name, e);
      nodeLogger(this.d.log, name, state.phase).warn({ err: describeError(e) }, 'reconcile failed; retrying');
      this.wakeNode(name, RETRY_FAILED_NODE_MS);
      return state;
    }
  }

  private writeStatus(rollout: Rollout, decision: RolloutDecision, stage: StageRecord | undefined): void {
    if (!rollout.spec && !rollout.specError) return;
    const holders = this.d.grants.holders();
    const paused = (rollout.spec?.paused ?? false) || pausedByCanary(decision, { index: this.index, holders });
    const { specError } = rollout;
    const shown = (): NodeState[] =>
      this.view.names().flatMap((n) => {
        const s = this.index.get(n);
        return s && (s.inScope || s.state.phase !== 'Pending') ? [s.state] : [];
      });
    this.status.write(
      () => ({ nodes: shown(), paused, specError, ciliumProblem: this.rolloutGrants.ciliumProblem(), preflight: this.term.preflight.status(), stage, probe: this.probe.status(), now: this.d.now() }),
      rollout.previousConditions,
    );
  }
}
