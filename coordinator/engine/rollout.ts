/**
 * The rollout's desired state as the operator wrote it (the spec of the coordinator's Migration, `default`
 * unless configured, or the last valid one when an edit is invalid) and the engine settings derived from it
 * and the coordinator config.
 */
import type { ObservedNode } from '../core/observed-objects.js';
import type { CoordinatorConfig } from '../../shared/config.js';
import { CONTROL_PLANE_LABEL, MIGRATION_DEFAULT_NAME, ZONE_LABEL } from '../../shared/names.js';
import type { Settings } from '../core/decision.js';
import { MigrationStatusSchema, parseMigrationSpec, type Condition, type MigrationSpec } from '../core/migration-spec.js';
import type { NodeSummary } from '../core/migration-order.js';
import type { RolloutPolicy } from '../core/rollout.js';
import type { DrainOptions } from '../core/drain-plan.js';
import type { PreflightStatus } from '../core/preflight/record.js';
import type { MigrationObject } from '../kube/migration.js';
import type { Watched } from '../kube/watched.js';

export interface Rollout {
  /** Absent when there is no such Migration: nothing new starts. */
  spec: MigrationSpec | undefined;
  specError: string | undefined;
  previousConditions: Condition[];
  /** The recorded cluster-level stage (`status.stage`), unparsed. */
  stage?: unknown;
  /** The last pre-flight as recorded (`status.preflight`), when it reads as one. */
  preflight?: PreflightStatus;
}

const PartialStatusSchema = MigrationStatusSchema.partial();

export class RolloutSource {
  private lastGood: MigrationSpec | undefined;
  /** The object last parsed and what it read as: the watch hands out the same object until it changes. */
  private parsed: { obj: MigrationObject; rollout: Rollout } | undefined;

  constructor(
    private readonly cache: Watched<MigrationObject>,
    private readonly name: string = MIGRATION_DEFAULT_NAME,
  ) {}

  read(): Rollout {
    const obj = this.cache.get(this.name);
    if (!obj) return { spec: undefined, specError: undefined, previousConditions: [] };
    if (this.parsed?.obj !== obj) this.parsed = { obj, rollout: this.parse(obj) };
    return this.parsed.rollout;
  }

  private parse(obj: MigrationObject): Rollout {
    const status = PartialStatusSchema.safeParse(obj.status ?? {});
    const previousConditions = status.success ? (status.data.conditions ?? []) : [];
    const stage = (obj.status as { stage?: unknown } | undefined)?.stage;
    const preflight = status.success ? status.data.preflight : undefined;
    const recorded = { previousConditions, stage, ...(preflight ? { preflight } : {}) };
    const parsed = parseMigrationSpec(obj.spec);
    if (parsed.ok) {
      this.lastGood = parsed.spec;
      return { spec: parsed.spec, specError: undefined, ...recorded };
    }
    return { spec: this.lastGood, specError: parsed.error, ...recorded };
  }
}

export function settingsFor(config: CoordinatorConfig, spec: MigrationSpec | undefined): Settings {
  return {
    autoRollback: spec?.autoRollback ?? false,
    drainTimeoutMs: (spec?.drain.timeoutSeconds ?? config.drainTimeoutSeconds) * 1000,
    rebootTimeoutMs: config.rebootTimeoutSeconds * 1000,
    validateTimeoutMs: config.validateTimeoutSeconds * 1000,
  };
}

export function summaryOf(n: ObservedNode): NodeSummary & { zone: string | undefined } {
  const labels = n.metadata?.labels ?? {};
  return { name: n.metadata?.name ?? '', controlPlane: labels[CONTROL_PLANE_LABEL] !== undefined, zone: labels[ZONE_LABEL] };
}

/** How the Migration's spec asks drains to treat unmanaged pods and emptyDir data. */
export function drainOptionsOf(spec: MigrationSpec | undefined): DrainOptions {
  return { force: spec?.drain.force ?? false, deleteEmptyDirData: spec?.drain.deleteEmptyDirData ?? false };
}

/** The rollout policy the Migration's spec asks for (none without a Migration). */
export function policyOf(spec: MigrationSpec | undefined): RolloutPolicy | undefined {
  if (!spec) return undefined;
  const { paused, concurrency, includeControlPlane, pauseAfter, maxUnavailablePerZone } = spec;
  return { paused, concurrency, includeControlPlane, pauseAfter, maxUnavailablePerZone };
}
