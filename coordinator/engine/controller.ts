/**
 * The leader's reconcile pass: read → decide → write. Every watch event, agent report, finished action
 * and deadline wakes it (see PassLoop). For each node it reads the recorded state (NodeStates) and what
 * is observed, asks the pure core for the next step (`decideStep`), records the intent on the Node with the
 * order result it answers (StepRecorder) and hands the actions to the executor; then it asks the core which
 * nodes get a grant (`decideRollout`, in RolloutGrants), writes the grants and the Migration status, and
 * arms the next deadline. The executor, the pre-flight checks and the stage runner run per Term of leadership.
 */
import type { CoordinatorConfig } from '../../shared/config.js';
import { describeError } from '../../shared/errors.js';
import { nodeLogger, type Logger } from '../../shared/logger.js';
import type { Order } from '../../shared/api.js';
import type { NodeState } from '../core/node-state.js';
import { observe, type AgentReport } from '../core/observe.js';
import { orderFor } from '../core/orders.js';
import { kindOfPhase, needsPeers } from '../core/peers.js';
import { decideStep, pausedByCanary, type Gate, type Hold, type RolloutDecision, type RolloutNode } from '../core/rollout.js';
import { countPastHaltDeadline, nextHaltDeadline } from '../core/steps.js';
import { ProbeLedger } from './probe-ledger.js';
import type { Cluster } from './cluster.js';
import type { SlotGrants } from './grants.js';
import { HoldLog } from './hold-log.js';
import type { MigrationMetrics } from './metrics.js';
import { NodeStates } from './node-states.js';
import { NodeView } from './node-view.js';
import { PassLoop } from './pass-loop.js';
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
  private readonly peers: PeerSource;
  private readonly loop: PassLoop;
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
    this.loop = new PassLoop(() => this.pass(), d.log);
    this.status = new StatusWriter(d.cluster.migration, () => this.wake());
    this.holds = new HoldLog(d.log);
    this.steps = new StepRecorder({ ...d, view: this.view }, () => this.wake());
    this.states = new NodeStates(this.view, this.steps.results);
    this.term = new Term({ ...d, view: this.view, rollout: this.rollout, wake: (ms) => this.wake(ms) });
    const stateOf = (n: string): NodeState => this.stateOf(n);
    const preflight = (): Gate | undefined => this.term.preflight.gate();
    this.rolloutGrants = new RolloutGrants({ ...d, selfNode: d.config.nodeName, peers: this.peers, stateOf, preflight, wake: () => this.wake() });
    this.probe = new ProbeLedger({
      nodes: () => this.states.timelines(),
      limits: () => this.rollout.read().spec?.probe,
      now: d.now,
      metrics: d.metrics.probe,
      breached: () => this.wake(),
    });
  }

  start(): void {
    this.term.start();
    this.loop.start();
  }

  async stop(): Promise<void> {
    this.term.stop();
    await this.loop.stop();
    this.steps.stop();
    this.status.stop();
    await this.peers.stop();
  }

  /** Schedules a pass (now, or after `afterMs` for a retry). */
  wake(afterMs?: number): void {
    this.loop.wake(afterMs);
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

  private async pass(): Promise<void> {
    const rollout = this.rollout.read();
    const { inScope, summaries, order } = await this.scope.layout(rollout.spec, this.d.config.nodeName);
    this.lastOrder = order;
    this.term.preflight.consider(rollout.spec, inScope, rollout.preflight);
    this.peers.newPass(order, this.view.names());
    const held: Hold[] = [];
    const states = new Map<string, NodeState>();
    for (const name of this.view.names()) {
      const state = this.stateOf(name);
      states.set(name, this.idle(name, state) ? state : await this.stepNode(name, state, rollout, held));
    }
    const nodes = summaries.map((s) => this.rolloutNodes.of(s, states.get(s.name) ?? this.stateOf(s.name), inScope.has(s.name)));
    const freedAtDecision = this.d.grants.freedNow();
    const decision = await this.rolloutGrants.decide(rollout, nodes, this.lastOrder);
    await this.rolloutGrants.grant(decision, states);
    await this.d.grants.flushReleases(freedAtDecision);
    this.holds.update([...held, ...decision.held], (n) => states.get(n)?.phase ?? 'Pending');
    const stage = rollout.specError ? undefined : await this.term.stages?.pass({ spec: rollout.spec, statusStage: rollout.stage, states, scope: order });
    await this.writeStatus(rollout, nodes, decision, stage);
    const settings = settingsFor(this.d.config, rollout.spec);
    this.loop.wakeAt(nextHaltDeadline(states.values(), settings, this.d.now()), this.d.now());
    this.d.metrics.rollout(this.status.halted(), countPastHaltDeadline(states.values(), settings, this.d.now()));
  }

  /** Settled, holding no grant and with no result to record: nothing for a pass to do for it. */
  private idle(name: string, state: NodeState): boolean {
    return settled(state) && !this.d.grants.holds(name) && Object.keys(this.steps.resultOf(name)).length === 0;
  }

  /** Read one node, decide its next step, record the intent, start the actions. */
  private async stepNode(name: string, state: NodeState, rollout: Rollout, held: Hold[]): Promise<NodeState> {
    const granted = this.d.grants.holds(name);
    const result = this.steps.resultOf(name);
    try {
      const obs = observe(name, {
        node: this.view.get(name),
        ciliumPods: this.ciliumPods.on(name),
        granted,
        drain: this.term.executor.drainOutcome(name, state.attempt),
        agent: this.d.agents.get(name),
        peerCandidates: needsPeers(state) ? await this.peers.peersFor(name, (n) => kindOfPhase(this.stateOf(n).phase)) : [],
        probeBreach: this.probe.breachOf(name, state.attempt),
      });
      const settings = settingsFor(this.d.config, rollout.spec);
      const { step, held: pausedReason } = decideStep({ state, obs, now: this.d.now(), settings, paused: rollout.spec?.paused ?? false });
      if (pausedReason) held.push({ node: name, by: 'paused', reason: pausedReason });
      await this.steps.record(state, step, result);
      this.term.executor.run(step.state, step.actions);
      return step.state;
    } catch (e) {
      this.steps.failed(name, e);
      nodeLogger(this.d.log, name, state.phase).warn({ err: describeError(e) }, 'reconcile failed; retrying');
      this.wake(RETRY_FAILED_NODE_MS);
      return state;
    }
  }

  private async writeStatus(rollout: Rollout, nodes: RolloutNode[], decision: RolloutDecision, stage: StageRecord | undefined): Promise<void> {
    if (!rollout.spec && !rollout.specError) return;
    const shown = nodes.filter((n) => n.inScope || n.state.phase !== 'Pending').map((n) => n.state);
    const paused = (rollout.spec?.paused ?? false) || pausedByCanary(decision, { nodes, holders: this.d.grants.holders() });
    const { specError } = rollout;
    await this.status.write({ nodes: shown, paused, specError, ciliumProblem: this.rolloutGrants.ciliumProblem(), preflight: this.term.preflight.status(), stage, probe: this.probe.status(), now: this.d.now() }, rollout.previousConditions);
  }
}
