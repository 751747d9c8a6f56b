/**
 * Pre-flight in the engine: at the start of each rollout (a new leader, or a changed spec) it reads the
 * cluster, runs the pure `runPreflight`, and keeps the result. Until a check has passed, its gate holds every
 * new grant, so a blocker stops the rollout before any node is touched; a blocked check runs again every
 * `recheckMs` so a fixed cluster goes on by itself. The validation CIDRs come from the last check.
 */
import { createHash } from 'node:crypto';
import type { V1Pod, V1PodDisruptionBudget } from '@kubernetes/client-node';
import { describeError } from '../../shared/errors.js';
import { retryTransient } from '../../shared/retry-transient.js';
import { watchRetryDelayMs } from '../../shared/watch-retry.js';
import type { Logger } from '../../shared/logger.js';
import { clusterFactsFrom, type RawClusterObjects } from '../core/facts/index.js';
import type { MigrationSpec } from '../core/migration-spec.js';
import { runPreflight, type ValidationCidrs } from '../core/preflight/index.js';
import { preflightHaltReason, preflightStatus, type PreflightStatus } from '../core/preflight/record.js';
import type { Gate } from '../core/rollout.js';
import type { Cluster } from './cluster.js';

export interface PreflightReads {
  clusterObjects(): Promise<RawClusterObjects>;
  runningPods(): Promise<V1Pod[]>;
  pdbs(): Promise<V1PodDisruptionBudget[]>;
}

export interface PreflightGateDeps {
  reads: PreflightReads;
  log: Logger;
  now: () => Date;
  /** A check finished: the controller should pass again. */
  wake: () => void;
  /** The validation CIDRs became known or changed: validation orders that waited on them can go out now. */
  cidrsChanged: () => void;
  recheckMs?: number;
}

type ClusterRead = [RawClusterObjects, V1Pod[], V1PodDisruptionBudget[]];

const GATE = 'pre-flight';
/** How long a read of running pods or budgets retries a transient failure. */
const READ_RETRY_MS = 10_000;
/** After a failed read the check runs again after 0.5 s, doubling up to the recheck period (jittered). */
const READ_BACKOFF = { initialMs: 500, jitter: 0.5, healthyAfterMs: 0 };

/** The engine's reads for pre-flight, from its Cluster. */
export function preflightReads(c: Pick<Cluster, 'clusterObjects' | 'pods' | 'pdbs'>): PreflightReads {
  return { clusterObjects: () => c.clusterObjects.read(), runningPods: () => c.pods.runningPods(), pdbs: () => c.pdbs.all() };
}

/** Any change of the spec (a resume included) starts the rollout again, with a new pre-flight. */
const specKey = (s: MigrationSpec): string => JSON.stringify(s);
/** The spec's digest recorded with a check (status.preflight.specDigest). */
export const specDigest = (s: MigrationSpec): string => createHash('sha256').update(specKey(s)).digest('hex').slice(0, 32);

export class PreflightGate {
  private result: PreflightStatus | undefined;
  private validation: ValidationCidrs | undefined;
  /** The spec the last check ran for; a blocked or failed check is due again at `recheckAt`. */
  private checkedFor: string | undefined;
  private recheckAt: number | undefined;
  private running = false;
  private stopped = false;
  private recheck: NodeJS.Timeout | undefined;
  /** Failed reads in a row: the next check is due after a short backoff, not the blocked cluster's recheck. */
  private readFailures = 0;

  constructor(private readonly d: PreflightGateDeps) {}

  /**
   * Each pass: start a check when this rollout has none yet (or its spec changed, or a recheck is due). A
   * gate with no result yet (a new leader) resumes from a passed check the last leader recorded for this same
   * spec: the gate stays open and the validation CIDRs are known while its own check reads the cluster (which
   * closes the gate again if it finds a blocker), as they would be had that leader lived on. Without it each
   * takeover held every grant and validation for the length of a full read of the cluster.
   */
  consider(spec: MigrationSpec | undefined, scope: ReadonlySet<string>, recorded?: PreflightStatus): void {
    if (!spec || this.stopped) return;
    this.resumeFrom(spec, recorded);
    if (this.running) return;
    const key = specKey(spec);
    const recheckDue = this.recheckAt !== undefined && this.d.now().getTime() >= this.recheckAt;
    if (key === this.checkedFor && !recheckDue) return;
    this.running = true;
    this.checkedFor = key;
    this.recheckAt = undefined;
    void this.check(spec, scope).finally(() => {
      this.running = false;
      if (!this.stopped) this.d.wake();
    });
  }

  private resumeFrom(spec: MigrationSpec, recorded: PreflightStatus | undefined): void {
    if (this.result !== undefined || recorded?.passed !== true || recorded.specDigest !== specDigest(spec)) return;
    this.result = recorded;
    this.d.log.info({ checkedAt: recorded.checkedAt }, 'pre-flight: resuming from the passed check recorded for this spec; checking again');
    if (recorded.validation === undefined || this.validation !== undefined) return;
    this.validation = { forward: recorded.validation.ciliumCidr, rollback: recorded.validation.calicoCidr };
    this.d.cidrsChanged();
  }

  /** Holds every new grant until a check has passed. */
  gate(): Gate | undefined {
    if (!this.result) return { name: GATE, reason: 'pre-flight has not finished yet' };
    return this.result.passed ? undefined : { name: GATE, reason: preflightHaltReason(this.result) ?? 'pre-flight blocked' };
  }

  cidrs(): ValidationCidrs | undefined {
    return this.validation;
  }

  status(): PreflightStatus | undefined {
    return this.result;
  }

  /**
   * A new term of leadership, in this process too (a replica that lost its Lease for a moment and took it back):
   * the rollout's check runs again. Without it a gate stopped while its first check was still reading held every
   * grant for good.
   */
  start(): void {
    this.stopped = false;
    this.checkedFor = undefined;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.recheck);
  }

  private async check(spec: MigrationSpec, scope: ReadonlySet<string>): Promise<void> {
    let read: ClusterRead;
    try {
      const until = Date.now() + READ_RETRY_MS;
      const r = this.d.reads;
      read = await Promise.all([r.clusterObjects(), retryTransient(() => r.runningPods(), until), retryTransient(() => r.pdbs(), until)]);
      this.readFailures = 0;
    } catch (e) {
      this.readFailures += 1;
      this.d.log.warn({ err: describeError(e), failures: this.readFailures }, 'pre-flight could not read the cluster; retrying');
      this.scheduleRecheck(watchRetryDelayMs(this.readFailures, { ...READ_BACKOFF, maxMs: this.recheckMs }, Math.random));
      return;
    }
    try {
      this.evaluate(spec, scope, read);
    } catch (e) {
      this.d.log.error({ err: describeError(e) }, 'pre-flight failed; checking again later');
      this.scheduleRecheck(this.recheckMs);
    }
  }

  private evaluate(spec: MigrationSpec, scope: ReadonlySet<string>, [raw, pods, pdbs]: ClusterRead): void {
    const facts = clusterFactsFrom(raw);
    const report = runPreflight({
      facts,
      overrides: { ciliumCidr: spec.validation.ciliumCidr, calicoCidr: spec.validation.calicoCidr },
      workloads: { podsInScope: pods.filter((p) => scope.has(p.spec?.nodeName ?? '')), allPods: pods, pdbs, drain: spec.drain },
    });
    this.result = preflightStatus(report, facts, this.d.now(), specDigest(spec));
    const before = JSON.stringify(this.validation);
    this.validation = report.cidrs ?? this.validation;
    if (JSON.stringify(this.validation) !== before) this.d.cidrsChanged();
    this.log(report.blockers.length, report.warnings.length);
    if (report.blockers.length > 0) this.scheduleRecheck(this.recheckMs);
  }

  private get recheckMs(): number {
    return this.d.recheckMs ?? 15_000;
  }

  private scheduleRecheck(ms: number): void {
    this.recheckAt = this.d.now().getTime() + ms;
    clearTimeout(this.recheck);
    this.recheck = setTimeout(() => this.d.wake(), ms);
    this.recheck.unref();
  }

  private log(blockers: number, warnings: number): void {
    const r = this.result;
    if (!r) return;
    if (blockers > 0) this.d.log.warn({ blockers: r.blockers.map((b) => `${b.message} (fix: ${b.fix})`) }, 'pre-flight found blockers: no node starts');
    else this.d.log.info({ warnings: r.warnings.map((w) => w.message), validation: r.validation }, `pre-flight passed with ${warnings} warning(s)`);
  }
}
