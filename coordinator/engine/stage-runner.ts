/**
 * Runs the cluster-level stages once every node is migrated: each pass observes, asks the pure stage
 * decision what comes next, writes the record to the Migration status (intent first), then carries out the
 * actions, each at most once per (attempt, stage, step) in this engine. Orders for a stage's node rounds
 * (revalidation, cleanup) are derived from the written record alone.
 */
import type { Order } from '../../shared/api.js';
import type { CoordinatorConfig } from '../../shared/config.js';
import { describeError } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';
import { NodeAnnotation } from '../../shared/names.js';
import type { MigrationSpec } from '../core/migration-spec.js';
import type { NodeState } from '../core/node-state.js';
import { checkTimeoutSeconds } from '../core/orders.js';
import { choosePeers } from '../core/peers.js';
import { decideStage, type StageAction, type StageSettings, type StageSpec } from '../core/stages/index.js';
import { PROMOTED_CONFIG } from '../core/stages/promotion.js';
import { readStageRecord, type BackupRecord, type StageRecord } from '../core/stages/record.js';
import { inventoryLine } from '../core/stages/inventories.js';
import type { Cluster } from './cluster.js';
import type { StageKube } from './stage-kube.js';
import { StageObserver } from './stage-observer.js';
import { StageReboots } from './stage-reboots.js';
import type { DrainOptions } from '../core/drain-plan.js';

export interface StageRunnerDeps {
  cluster: Cluster;
  kube: StageKube;
  log: Logger;
  now: () => Date;
  validateTimeoutSeconds: number;
  rebootTimeoutSeconds: number;
  drainTimeoutSeconds: number;
  drainOptions: () => DrainOptions;
  dnsName: string;
  /** Cilium's pod CIDR as pre-flight read it; no validation order until it is known. */
  ciliumCidr: () => string | undefined;
  /** Something finished or must be looked at again: run a pass (after `afterMs`). */
  wake: (afterMs?: number) => void;
  orderChanged: (node: string) => void;
}

const RETRY_AFTER_FAILURE_MS = 1000;
/** Steps that wait on objects no watch announces (cilium-config, deletions) look again this often. */
const RECHECK_MS = 1000;

const NO_STAGES: StageSpec = { promote: false, patchCiliumConfig: false, removeCalico: false, cleanNodes: false, rebootNodes: false, removeCrds: false };

function specOf(spec: MigrationSpec | undefined): StageSpec {
  if (!spec) return NO_STAGES;
  const { promote, patchCiliumConfig, removeCalico, cleanNodes, rebootNodes, removeCrds } = spec.stages;
  return { promote, patchCiliumConfig, removeCalico, cleanNodes, rebootNodes, removeCrds };
}

/** The record as a merge patch: optional fields that are absent are removed (null). */
function recordPatch(r: StageRecord): Record<string, unknown> {
  const optional = ['restartedAt', 'method', 'backup', 'crdsRemoved', 'inventories', 'haltReason', 'waitingFor'] as const;
  const cleared = Object.fromEntries(optional.filter((k) => r[k] === undefined).map((k) => [k, null]));
  return { ...r, ...cleared };
}

/** The reboot order only once the boot id it may end is recorded: a second delivery finds a new boot and refuses. */
function rebootOrder(e: StageRecord['nodes'][number]): Order | null {
  return e.phase === 'Rebooting' && e.bootIdBefore ? { kind: 'reboot', id: e.orderId, ifBootId: e.bootIdBefore } : null;
}

export class StageRunner {
  private record: StageRecord | undefined;
  private loaded = false;
  private readonly started = new Set<string>();
  private backup: BackupRecord | { error: string } | undefined;
  private readonly peers = new Map<string, string[]>();
  private stopped = false;
  private recheck: NodeJS.Timeout | undefined;
  private readonly observer: StageObserver;
  private readonly reboots: StageReboots;

  constructor(private readonly d: StageRunnerDeps) {
    this.observer = new StageObserver(d.cluster, d.kube);
    this.reboots = new StageReboots(d);
  }

  stop(): void {
    this.stopped = true;
    this.reboots.stop();
    clearTimeout(this.recheck);
  }

  /** One pending look-again at a time (what the step waits for has no watch). */
  private recheckSoon(): void {
    if (this.recheck !== undefined || this.stopped) return;
    this.recheck = setTimeout(() => {
      this.recheck = undefined;
      this.d.wake();
    }, RECHECK_MS);
  }

  /** The recorded stage (the last this leader wrote, else the watched status). */
  current(rawStatusStage: unknown): StageRecord | undefined {
    if (!this.loaded) {
      this.record = readStageRecord(rawStatusStage);
      this.loaded = true;
    }
    return this.record;
  }

  async pass(input: { spec: MigrationSpec | undefined; statusStage: unknown; states: ReadonlyMap<string, NodeState>; scope: string[] }): Promise<StageRecord | undefined> {
    const record = this.current(input.statusStage);
    const retryAttempt = input.spec?.stages.retryAttempt;
    const observed = await this.observer.observe({ record, states: input.states, scope: input.scope, backup: this.backup, retryAttempt });
    const obs = { ...observed, rebootNodes: this.reboots.observe(record) };
    const decision = decideStage({ record, spec: specOf(input.spec), obs, now: this.d.now(), settings: this.settings(input.spec) });
    if (!decision.record) return undefined;
    const next: StageRecord = { ...decision.record, waitingFor: decision.waitingFor };
    if (next.step === 'Revalidating') await this.choosePeers(next);
    if (JSON.stringify(next) !== JSON.stringify(record)) await this.write(next, decision.transition?.message);
    for (const a of decision.actions) this.run(next, a);
    if (next.stage !== 'Complete' && next.haltReason === undefined) this.recheckSoon();
    return next;
  }

  /** Peers for each revalidation about to be ordered: pods on the other nodes, all on Cilium now. */
  private async choosePeers(r: StageRecord): Promise<void> {
    const missing = r.nodes.filter((e) => e.state === 'Running' && !this.peers.has(e.orderId));
    if (missing.length === 0) return;
    const pods = await this.d.cluster.pods.runningPods();
    for (const e of missing) {
      this.peers.set(e.orderId, choosePeers({ pods, kindOf: (n) => (n === e.name ? undefined : 'cilium'), self: e.name }));
    }
  }

  private settings(spec: MigrationSpec | undefined): StageSettings {
    return {
      concurrency: spec?.concurrency ?? 1,
      rolloutTimeoutMs: this.d.rebootTimeoutSeconds * 1000,
      validateTimeoutMs: this.d.validateTimeoutSeconds * 1000,
      cleanupTimeoutMs: this.d.validateTimeoutSeconds * 1000,
      removalTimeoutMs: (spec?.stages.timeoutSeconds ?? 600) * 1000,
      drainTimeoutMs: (spec?.drain.timeoutSeconds ?? this.d.drainTimeoutSeconds) * 1000,
      rebootTimeoutMs: this.d.rebootTimeoutSeconds * 1000,
    };
  }

  private async write(next: StageRecord, message: string | undefined): Promise<void> {
    await this.d.cluster.migration.patchStatus({ stage: recordPatch(next) });
    const before = this.record;
    this.record = next;
    if (message) this.d.log[next.haltReason ? 'warn' : 'info']({ stage: next.stage, step: next.step }, message);
    const ordered = new Set([...(before?.nodes ?? []), ...next.nodes].map((n) => n.name));
    ordered.forEach((n) => this.d.orderChanged(n));
  }

  private run(record: StageRecord | undefined, a: StageAction): void {
    if (!record || this.stopped) return;
    const key = `${record.attempt}/${record.stage}/${record.step}/${a.kind}/${'node' in a ? a.node : ''}`;
    if (this.started.has(key)) return;
    this.started.add(key);
    this.execute(a).then(
      () => this.d.wake(),
      (e: unknown) => {
        this.d.log.warn({ stage: record.stage, step: record.step, action: a.kind, err: describeError(e) }, 'stage action failed; will retry');
        this.started.delete(key);
        this.d.wake(RETRY_AFTER_FAILURE_MS);
      },
    );
  }

  private async execute(a: StageAction): Promise<void> {
    const k = this.d.kube;
    if (StageReboots.handles(a)) return this.reboots.execute(a);
    switch (a.kind) {
      case 'patchCiliumConfig':
        return k.promotion.patchConfig({ ...PROMOTED_CONFIG });
      case 'restartCiliumDaemonSet':
        return k.promotion.restartCiliumDaemonSet(a.restartedAt);
      case 'deleteNodeConfig':
        return k.promotion.deleteNodeConfig();
      default:
        return this.executeRemoval(a);
    }
  }

  private async executeRemoval(a: StageAction): Promise<void> {
    const k = this.d.kube;
    switch (a.kind) {
      case 'backupCalico':
        this.backup = await k.backup.store().catch((e: unknown) => ({ error: describeError(e) }));
        return;
      case 'deleteObjects':
        for (const r of a.refs) await k.calico.remove(r);
        return;
      case 'deleteCrds':
        for (const n of a.names) await k.calico.removeCrd(n);
        return;
      case 'recordInventory':
        await this.d.cluster.nodes.patch(a.node, { annotations: { [NodeAnnotation.cleanupInventory]: inventoryLine(a.found, a.left, a.leftByKind) } });
        return;
      default:
        return;
    }
  }

  private runningEntry(node: string): StageRecord['nodes'][number] | undefined {
    const r = this.record;
    if (!r || r.haltReason !== undefined) return undefined;
    return r.nodes.find((n) => n.name === node && n.state === 'Running');
  }

  /** The node's order in the current stage step, if its round entry is recorded and running. */
  orderOf(node: string, spec: MigrationSpec | undefined): Order | null {
    const e = this.runningEntry(node);
    if (!e) return null;
    if (this.record?.step === 'Cleaning') return { kind: 'cleanup', id: e.orderId, dryRun: false };
    if (this.record?.step === 'RebootingNodes') return rebootOrder(e);
    if (this.record?.step !== 'Revalidating') return null;
    return this.validateOrder(e.orderId, this.peers.get(e.orderId) ?? [], spec);
  }

  private validateOrder(id: string, peers: string[], spec: MigrationSpec | undefined): Order | null {
    const checkImage = spec?.validation.checkImage;
    const expectedCidr = this.d.ciliumCidr();
    if (expectedCidr === undefined) return null;
    return {
      kind: 'validate',
      id,
      expectedCidr,
      peers: peers.slice(0, 16),
      dnsName: spec?.validation.dnsName ?? this.d.dnsName,
      timeoutSeconds: checkTimeoutSeconds(this.d.validateTimeoutSeconds),
      ...(checkImage ? { image: checkImage } : {}),
    };
  }
}


/** The stage runner for one term of leadership (it reads the recorded stage back from the status); none when the cluster cannot run stages. */
export function stageRunnerFor(
  d: { cluster: Cluster; config: CoordinatorConfig; log: Logger; now: () => Date; orderChanged: (node: string) => void },
  term: Pick<StageRunnerDeps, 'ciliumCidr' | 'wake' | 'drainOptions'>,
): StageRunner | undefined {
  const { cluster, config, log, now, orderChanged } = d;
  if (!cluster.stages) return undefined;
  const { validateTimeoutSeconds, rebootTimeoutSeconds, drainTimeoutSeconds, dnsName } = config;
  return new StageRunner({ cluster, kube: cluster.stages, log, now, validateTimeoutSeconds, rebootTimeoutSeconds, drainTimeoutSeconds, dnsName, orderChanged, ...term });
}
