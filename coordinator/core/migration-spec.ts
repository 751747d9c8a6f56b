/**
 * The `Migration` custom resource (`migrations.cni-migrate.io`, cluster-scoped, named `default`): what the
 * operator wants (spec) and what the coordinator reports (status).
 */
import { z } from 'zod';
import { PhaseSchema } from '../../shared/phases.js';
import { ImageRefSchema, Ipv4CidrSchema } from '../../shared/api.js';
import { PreflightStatusSchema } from './preflight/record.js';
import { StageRecordSchema } from './stages/record.js';
import { ProbeLimitsSchema, ProbeStatusSchema } from './probe/limits.js';

export const MigrationSpecSchema = z.object({
  paused: z.boolean().default(false),
  concurrency: z.number().int().min(1).max(64).default(1),
  /** A label selector string (`kubectl -l` syntax) limiting which nodes are migrated. */
  nodeSelector: z.string().max(1024).default(''),
  includeControlPlane: z.boolean().default(true),
  autoRollback: z.boolean().default(false),
  /** Canary: once this many nodes have started, no more start until it is raised or removed. */
  pauseAfter: z.number().int().min(1).max(100000).optional(),
  /** At most this many nodes in flight per `topology.kubernetes.io/zone`. */
  maxUnavailablePerZone: z.number().int().min(1).max(64).optional(),
  /** Thresholds on the zero-downtime probe that halt the node in flight; unset: the probe only reports. */
  probe: ProbeLimitsSchema,
  drain: z
    .object({
      timeoutSeconds: z.number().int().positive().max(86400).optional(),
      deleteEmptyDirData: z.boolean().default(false),
      force: z.boolean().default(false),
    })
    .prefault({}),
  validation: z
    .object({
      dnsName: z.string().min(1).max(253).optional(),
      checkImage: ImageRefSchema.optional(),
      /** Pins the CIDR a migrated node's check pod must get (inside Cilium's pool); read from the cluster when unset. */
      ciliumCidr: Ipv4CidrSchema.optional(),
      /** Pins the CIDR a rolled-back node's check pod must get (inside a Calico pool); read from the cluster when unset. */
      calicoCidr: Ipv4CidrSchema.optional(),
    })
    .prefault({}),
  /** The cluster-level stages after the per-node rollout, each opt-in (a team may stop after any and continue later). */
  stages: z
    .object({
      promote: z.boolean().default(false),
      patchCiliumConfig: z.boolean().default(false),
      removeCalico: z.boolean().default(false),
      cleanNodes: z.boolean().default(false),
      /** After the cleanup, reboot every node once more, k at a time (cordon, drain, reboot, Ready, uncordon). */
      rebootNodes: z.boolean().default(false),
      removeCrds: z.boolean().default(false),
      timeoutSeconds: z.number().int().positive().max(86400).optional(),
      /** Retry the halted stage step whose `status.stage.attempt` is this (`cni-migrate retry --stage`); stale once retried. */
      retryAttempt: z.number().int().nonnegative().optional(),
    })
    .prefault({}),
});
export type MigrationSpec = z.infer<typeof MigrationSpecSchema>;
/** A spec as written (every defaulted field optional), e.g. when a Migration is created. */
export type MigrationSpecInput = z.input<typeof MigrationSpecSchema>;

export const RolloutPhaseSchema = z.enum([
  'Pending',
  'Running',
  'Paused',
  'Halted',
  'Promoting',
  'RemovingCalico',
  'CleaningNodes',
  'RebootingNodes',
  'RemovingCRDs',
  'Completed',
]);
export type RolloutPhase = z.infer<typeof RolloutPhaseSchema>;

export const NodeStatusSchema = z.object({
  name: z.string(),
  phase: PhaseSchema,
  attempt: z.number().int().nonnegative(),
  since: z.string().optional(),
  durationSeconds: z.number().nonnegative().optional(),
  reason: z.string().optional(),
});
export type NodeStatus = z.infer<typeof NodeStatusSchema>;

export const ConditionSchema = z.object({
  type: z.string(),
  status: z.enum(['True', 'False', 'Unknown']),
  reason: z.string(),
  message: z.string(),
  lastTransitionTime: z.string(),
});
export type Condition = z.infer<typeof ConditionSchema>;

export const MigrationStatusSchema = z.object({
  phase: RolloutPhaseSchema,
  nodes: z.array(NodeStatusSchema),
  migrated: z.number().int().nonnegative(),
  total: z.number().int().nonnegative(),
  inFlight: z.number().int().nonnegative(),
  haltReason: z.string().optional(),
  haltedNode: z.string().optional(),
  conditions: z.array(ConditionSchema),
  preflight: PreflightStatusSchema.optional(),
  /** The cluster-level stage (written before each stage step's side effect). */
  stage: StageRecordSchema.optional(),
  /** The zero-downtime probe's figures (absent until a probe pod reported). */
  probe: ProbeStatusSchema.optional(),
});
export type MigrationStatus = z.infer<typeof MigrationStatusSchema>;

/** Parses a Migration's spec; a clear error lists every bad field. */
export function parseMigrationSpec(raw: unknown): { ok: true; spec: MigrationSpec } | { ok: false; error: string } {
  const r = MigrationSpecSchema.safeParse(raw ?? {});
  if (r.success) return { ok: true, spec: r.data };
  return { ok: false, error: r.error.issues.map((i) => `spec.${i.path.join('.')}: ${i.message}`).join('; ') };
}
