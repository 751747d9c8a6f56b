/**
 * What runs for one term of leadership: a fresh executor (a stopped one never acts again), the pre-flight
 * gate's checks (a new term checks again) and the stage runner. The controller starts a term when it leads
 * and stops it when it no longer does.
 */
import type { CoordinatorConfig } from '../../shared/config.js';
import type { Logger } from '../../shared/logger.js';
import type { Cluster } from './cluster.js';
import { Executor } from './executor.js';
import type { SlotGrants } from './grants.js';
import type { NodeView } from './node-view.js';
import { PreflightGate, preflightReads } from './preflight-gate.js';
import { drainOptionsOf, type RolloutSource } from './rollout.js';
import { stageRunnerFor, type StageRunner } from './stage-runner.js';

export interface TermDeps {
  cluster: Cluster;
  config: CoordinatorConfig;
  log: Logger;
  now: () => Date;
  grants: SlotGrants;
  orderChanged: (node: string) => void;
  view: NodeView;
  rollout: RolloutSource;
  /** Schedules a full pass (now, or after `afterMs`). */
  wake: (afterMs?: number) => void;
  /** Schedules a pass of one node (now, or after `afterMs`). */
  wakeNode: (node: string, afterMs?: number) => void;
}

export class Term {
  readonly preflight: PreflightGate;
  private current: Executor;
  private runner: StageRunner | undefined;

  constructor(private readonly d: TermDeps) {
    this.preflight = new PreflightGate({
      reads: preflightReads(d.cluster),
      log: d.log,
      now: d.now,
      wake: () => d.wake(),
      // An agent polling while its node validates waits on the CIDRs; without this it waited until the step's deadline.
      cidrsChanged: () => d.view.names().forEach((n) => d.orderChanged(n)),
    });
    this.current = this.newExecutor();
  }

  get executor(): Executor {
    return this.current;
  }

  /** The stage runner of this term (none when the cluster has no stage objects). */
  get stages(): StageRunner | undefined {
    return this.runner;
  }

  /** A fresh executor per term of leadership (a stopped one never acts again). */
  private newExecutor(): Executor {
    return new Executor({
      ...this.d,
      drainOptions: () => drainOptionsOf(this.d.rollout.read().spec),
      wroteNode: (n) => this.d.view.wrote(n),
      wake: (node, afterMs) => this.d.wakeNode(node, afterMs),
    });
  }

  start(): void {
    this.current = this.newExecutor();
    this.preflight.start();
    this.runner = stageRunnerFor(this.d, {
      ciliumCidr: () => this.preflight.cidrs()?.forward,
      wake: (ms) => this.d.wake(ms),
      drainOptions: () => drainOptionsOf(this.d.rollout.read().spec),
    });
  }

  stop(): void {
    this.current.stop();
    this.preflight.stop();
    this.runner?.stop();
  }
}
