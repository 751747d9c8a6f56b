/**
 * The leader's reconcile pass: read → decide → write. Every watch event, agent report, finished action
 * and deadline wakes it (see PassLoop). For each node it reads the recorded state and what is observed,
 * asks the pure core for the next step (`decideStep`), writes the intent to the Node and hands the
 * actions to the executor; then it asks the core which nodes get a grant (`decideRollout`), writes the
 * grants and the Migration status, and arms the next deadline.
 */
import type { CoordinatorConfig } from '../../shared/config.js';
import { CniMigrateError, describeError } from '../../shared/errors.js';
import { NodeAnnotation } from '../../shared/names.js';
import { nodeLogger, type Logger } from '../../shared/logger.js';
import type { Order } from '../../shared/api.js';
import { readNodeState, type NodeState } from '../core/node-state.js';
import { observe, type AgentReport } from '../core/observe.js';
import { orderFor } from '../core/orders.js';
import { kindOfPhase, needsPeers, type NodeKind } from '../core/peers.js';
import { decideRollout, decideStep, pausedByCanary, type Hold, type RolloutDecision, type RolloutNode } from '../core/rollout.js';
import { haltDeadlineOf, nextHaltDeadline } from '../core/steps.js';
import { isInFlight } from '../../shared/phases.js';
import type { NodeTimeline } from '../core/probe/classify.js';
import { ProbeLedger } from './probe-ledger.js';
import type { Cluster } from './cluster.js';
import { Executor } from './executor.js';
import type { SlotGrants } from './grants.js';
import { HoldLog } from './hold-log.js';
import { recordIntent, type IntentDeps } from './intent.js';
import type { MigrationMetrics } from './metrics.js';
import { NodeView } from './node-view.js';
import { PassLoop } from './pass-loop.js';
import { PreflightGate, preflightReads } from './preflight-gate.js';
import { PeerSource } from './peer-source.js';
import { RolloutScope } from './scope.js';
import { drainOptionsOf, policyOf, RolloutSource, settingsFor, type Rollout } from './rollout.js';
import { CILIUM_GATE, closedGates } from './gates.js';
import { StatusWriter } from './status-writer.js';
import { PendingResults } from './results.js';
import { stageRunnerFor, type StageRunner } from './stage-runner.js';
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
  private readonly intent: IntentDeps;
  private readonly preflight: PreflightGate;
  private executor: Executor;
  /** The Cilium gate's reason when the last decision consulted it (shown in the status). */
  private ciliumProblem: string | undefined;
  private stages: StageRunner | undefined;
  private readonly results = new PendingResults();
  private readonly parsed = new WeakMap<Record<string, string>, NodeState>();
  /** The zero-downtime probe's figures; its breaches halt the node in flight. */
  readonly probe: ProbeLedger;

  constructor(private readonly d: ControllerDeps) {
    this.view = new NodeView(d.cluster.nodeCache);
    this.rollout = new RolloutSource(d.cluster.migrationCache, d.config.migrationName);
    this.scope = new RolloutScope(d.cluster.nodes, this.view);
    this.peers = new PeerSource((node) => d.cluster.pods.watchNodePods(node), d.log);
    this.loop = new PassLoop(() => this.pass(), d.log);
    this.status = new StatusWriter(d.cluster.migration, () => this.wake());
    this.holds = new HoldLog(d.log);
    this.intent = { ...d, view: this.view };
    this.preflight = new PreflightGate({ reads: preflightReads(d.cluster), log: d.log, now: d.now, wake: () => this.wake() });
    this.executor = this.newExecutor();
    this.probe = new ProbeLedger({
      nodes: () => this.timelines(),
      limits: () => this.rollout.read().spec?.probe,
      now: d.now,
      metrics: d.metrics.probe,
      breached: () => this.wake(),
    });
  }

  /** Every node's recorded migration times (the probe sorts its samples by them). */
  private timelines(): ReadonlyMap<string, NodeTimeline> {
    return new Map(this.view.names().map((n) => [n, this.stateOf(n)]));
  }

  /** A fresh executor per term of leadership (a stopped one never acts again). */
  private newExecutor(): Executor {
    return new Executor({
      ...this.d,
      drainOptions: () => drainOptionsOf(this.rollout.read().spec),
      wroteNode: (n) => this.view.wrote(n),
      wake: (_node, afterMs) => this.wake(afterMs),
    });
  }

  start(): void {
    this.executor = this.newExecutor();
    this.preflight.start();
    this.stages = stageRunnerFor(this.d, { ciliumCidr: () => this.preflight.cidrs()?.forward, wake: (ms) => this.wake(ms) });
    this.loop.start();
  }

  async stop(): Promise<void> {
    this.executor.stop();
    this.preflight.stop();
    this.stages?.stop();
    await this.loop.stop();
    this.results.failAll(new CniMigrateError('Conflict', 'this coordinator stopped leading: report the result again'));
    this.status.stop();
    await this.peers.stop();
  }

  /** Schedules a pass (now, or after `afterMs` for a retry). */
  wake(afterMs?: number): void {
    this.loop.wake(afterMs);
  }

  stateOf(node: string): NodeState {
    const annotations = this.view.get(node)?.metadata?.annotations;
    const overlaid = this.results.overlay(node, annotations);
    if (overlaid !== annotations || annotations === undefined) return readNodeState(node, overlaid);
    // The watch hands out the same object until the Node changes: each is parsed once, not once per pass.
    let state = this.parsed.get(annotations);
    if (state?.name !== node) {
      state = readNodeState(node, annotations);
      this.parsed.set(annotations, state);
    }
    return state;
  }

  /**
   * Records an agent's order result with the transition it causes (one Node patch): resolves once that
   * patch landed, so the agent is answered only when its result is in Kubernetes.
   */
  recordResult(node: string, orderId: string, recorded: string): Promise<void> {
    const written = this.results.add(node, orderId, recorded);
    this.wake();
    return written;
  }

  orderOf(node: string): Order | null {
    const spec = this.rollout.read().spec;
    const dnsName = spec?.validation.dnsName ?? this.d.config.dnsName;
    const checkImage = spec?.validation.checkImage;
    const perNode = orderFor(this.stateOf(node), { dnsName, checkImage, validateTimeoutSeconds: this.d.config.validateTimeoutSeconds, cidrs: this.preflight.cidrs() });
    return perNode ?? this.stages?.orderOf(node, spec) ?? null;
  }

  /** The nodes in scope, in migration order, as the last pass saw them. */
  scopeNames(): readonly string[] {
    return this.lastOrder;
  }

  private async pass(): Promise<void> {
    const rollout = this.rollout.read();
    const { inScope, summaries, order } = await this.scope.layout(rollout.spec, this.d.config.nodeName);
    this.lastOrder = order;
    this.preflight.consider(rollout.spec, inScope);
    this.peers.newPass(order, this.view.names());
    const held: Hold[] = [];
    const states = new Map<string, NodeState>();
    for (const name of this.view.names()) states.set(name, await this.stepNode(name, rollout, held));
    const nodes: RolloutNode[] = summaries.map((s) => ({ ...s, state: states.get(s.name) ?? this.stateOf(s.name), inScope: inScope.has(s.name) }));
    const freedAtDecision = this.d.grants.freedNow();
    const decision = await this.decideGrants(rollout, nodes);
    await this.grant(decision, states);
    await this.d.grants.flushReleases(freedAtDecision);
    this.holds.update([...held, ...decision.held], (n) => states.get(n)?.phase ?? 'Pending');
    const stage = rollout.specError ? undefined : await this.stages?.pass({ spec: rollout.spec, statusStage: rollout.stage, states, scope: order });
    await this.writeStatus(rollout, nodes, decision, stage);
    const settings = settingsFor(this.d.config, rollout.spec);
    this.loop.wakeAt(nextHaltDeadline(states.values(), settings, this.d.now()), this.d.now());
    const now = this.d.now().getTime();
    const pastDeadline = [...states.values()].filter((s) => isInFlight(s.phase) && s.phase !== 'Halted' && (haltDeadlineOf(s, settings)?.getTime() ?? Infinity) < now);
    this.d.metrics.rollout(this.status.halted(), pastDeadline.length);
  }

  /** Read one node, decide its next step, record the intent, start the actions. */
  private async stepNode(name: string, rollout: Rollout, held: Hold[]): Promise<NodeState> {
    const state = this.stateOf(name);
    const granted = this.d.grants.holds(name);
    const result = this.results.patchOf(name);
    if (settled(state) && !granted && Object.keys(result).length === 0) return state;
    try {
      const obs = observe(name, {
        node: this.view.get(name),
        ciliumPods: this.d.cluster.ciliumPods.list(),
        granted,
        drain: this.executor.drainOutcome(name, state.attempt),
        agent: this.d.agents.get(name),
        peerCandidates: needsPeers(state) ? await this.peers.peersFor(name, (n) => kindOfPhase(this.stateOf(n).phase)) : [],
        probeBreach: this.probe.breachOf(name, state.attempt),
      });
      const settings = settingsFor(this.d.config, rollout.spec);
      const { step, held: pausedReason } = decideStep({ state, obs, now: this.d.now(), settings, paused: rollout.spec?.paused ?? false });
      if (pausedReason) held.push({ node: name, by: 'paused', reason: pausedReason });
      await recordIntent(this.intent, state, { ...step, patch: { ...result, ...step.patch } });
      this.results.written(name, result[NodeAnnotation.lastResult]);
      this.executor.run(step.state, step.actions);
      return step.state;
    } catch (e) {
      this.results.written(name, undefined, e);
      nodeLogger(this.d.log, name, state.phase).warn({ err: describeError(e) }, 'reconcile failed; retrying');
      this.wake(RETRY_FAILED_NODE_MS);
      return state;
    }
  }

  private async decideGrants(rollout: Rollout, nodes: RolloutNode[]): Promise<RolloutDecision> {
    const holders = this.d.grants.holders();
    const policy = policyOf(rollout.spec);
    const gates = closedGates(this.d.cluster, this.preflight.gate());
    const slotFree = holders.size < (policy?.concurrency ?? 1);
    const kindOf = (n: string): NodeKind | undefined => kindOfPhase(this.stateOf(n).phase);
    const peerHosts = slotFree ? await this.peers.hostsOfPeersInUse(nodes.map((n) => n.state), kindOf) : new Set<string>();
    const decision = decideRollout({ policy, specError: rollout.specError, nodes, holders, selfNode: this.d.config.nodeName, gates, peerHosts, order: this.lastOrder });
    if (decision.gatesChecked) this.ciliumProblem = gates.find((g) => g.name === CILIUM_GATE)?.reason;
    return decision;
  }

  private async grant(decision: RolloutDecision, states: Map<string, NodeState>): Promise<void> {
    for (const g of decision.grants) {
      await this.d.grants.grant(g.slot, g.node);
      nodeLogger(this.d.log, g.node, states.get(g.node)?.phase ?? 'Pending').info({ slot: g.slot }, 'granted');
      this.wake();
    }
  }

  private async writeStatus(rollout: Rollout, nodes: RolloutNode[], decision: RolloutDecision, stage: StageRecord | undefined): Promise<void> {
    if (!rollout.spec && !rollout.specError) return;
    const shown = nodes.filter((n) => n.inScope || n.state.phase !== 'Pending').map((n) => n.state);
    const paused = (rollout.spec?.paused ?? false) || pausedByCanary(decision, { nodes, holders: this.d.grants.holders() });
    const { specError } = rollout;
    await this.status.write({ nodes: shown, paused, specError, ciliumProblem: this.ciliumProblem, preflight: this.preflight.status(), stage, probe: this.probe.status(), now: this.d.now() }, rollout.previousConditions);
  }
}
