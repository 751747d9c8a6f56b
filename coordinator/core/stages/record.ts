/**
 * The cluster-level stages that follow the per-node rollout (promote Cilium, remove Calico, clean every
 * node, remove the CRDs) and their record in the Migration status (`status.stage`). The record is written
 * before each stage step's side effect, so a coordinator killed at any instant reads it back and resumes:
 * deadlines run from the recorded `since`, the Cilium restart stamp is chosen once and recorded, and a
 * node's order is issued only once its round entry is recorded.
 */
import { z } from 'zod';

export const STAGE_NAMES = ['Promote', 'RemoveCalico', 'CleanNodes', 'RebootNodes', 'RemoveCrds'] as const;
export const StageNameSchema = z.enum(STAGE_NAMES);
export type StageName = z.infer<typeof StageNameSchema>;

/** Each stage's steps, in order. `Done` ends a stage; the next one starts only when the spec enables it. */
export const STAGE_STEPS = {
  Promote: ['AwaitingPromotion', 'RestartingCiliumDaemonSet', 'WaitingRollout', 'Revalidating', 'DeletingNodeConfig', 'Done'],
  RemoveCalico: ['BackingUp', 'RemovingApiServer', 'RemovingInstallation', 'RemovingOperator', 'RemovingManifest', 'Done'],
  CleanNodes: ['Cleaning', 'Done'],
  RebootNodes: ['RebootingNodes', 'Done'],
  RemoveCrds: ['RemovingCrds', 'Done'],
} as const satisfies Record<StageName, readonly string[]>;

export type StageStep = (typeof STAGE_STEPS)[StageName][number];
const ALL_STEPS = [...new Set(Object.values(STAGE_STEPS).flat())] as [StageStep, ...StageStep[]];
export const StageStepSchema = z.enum(ALL_STEPS);

/** How Calico was installed (read from the cluster when the removal starts, then recorded). */
export const InstallMethodSchema = z.enum(['operator', 'manifest', 'none']);
export type InstallMethod = z.infer<typeof InstallMethodSchema>;

const CountsSchema = z.record(z.string(), z.number().int().nonnegative());

/** RebootNodes: where a node's reboot is (cordon → drain → reboot → Ready and Cilium ready → uncordon). */
export const RebootPhaseSchema = z.enum(['Cordoning', 'Draining', 'Rebooting', 'WaitingReady', 'Uncordoning']);
export type RebootPhase = z.infer<typeof RebootPhaseSchema>;

/** One node's entry in a stage's round of orders (revalidation, cleanup, reboot), k at a time. */
export const NodeRoundSchema = z.object({
  name: z.string(),
  state: z.enum(['Running', 'Done', 'Failed']),
  since: z.string(),
  orderId: z.string(),
  message: z.string().max(4096).optional(),
  /** Cleanup: Calico items found on the node before, by kind. */
  found: CountsSchema.optional(),
  /** Cleanup: Calico items still there afterwards. */
  left: z.number().int().nonnegative().optional(),
  /** Cleanup: the same by kind. */
  leftByKind: CountsSchema.optional(),
  /** Reboot: the node's step; `since` is when it was entered. */
  phase: RebootPhaseSchema.optional(),
  /** Reboot: whether the node was cordoned before the stage (it stays so). */
  wasUnschedulable: z.boolean().optional(),
  /** Reboot: the boot id before the reboot, recorded before the reboot order is issued (the order reboots only this boot). */
  bootIdBefore: z.string().optional(),
  /** Reboot: the boot id the node came back with. */
  bootIdAfter: z.string().optional(),
});
export type NodeRound = z.infer<typeof NodeRoundSchema>;

/** A finished (or running) stage's times, for the status and the durations report. */
export const StageTimeSchema = z.object({
  name: StageNameSchema,
  startedAt: z.string(),
  finishedAt: z.string().optional(),
});
export type StageTime = z.infer<typeof StageTimeSchema>;

/** One node's cleanup, kept in the record once the CleanNodes stage is over: Calico items by kind, before and after. */
export const NodeInventorySchema = z.object({ found: CountsSchema, left: CountsSchema });
export type NodeInventory = z.infer<typeof NodeInventorySchema>;

export const BackupRecordSchema = z.object({
  objects: z.number().int().nonnegative(),
  configMaps: z.array(z.string()),
  kinds: CountsSchema,
});
export type BackupRecord = z.infer<typeof BackupRecordSchema>;

export const StageRecordSchema = z.object({
  stage: z.union([StageNameSchema, z.literal('Complete')]),
  step: StageStepSchema,
  /** When the current step was entered: its deadline runs from here. */
  since: z.string(),
  /** Bumped by a retry of a halted step, so its orders get new ids. */
  attempt: z.number().int().nonnegative().default(0),
  /** The value written to ds/cilium's `kubectl.kubernetes.io/restartedAt` (chosen once, before the patch). */
  restartedAt: z.string().optional(),
  method: InstallMethodSchema.optional(),
  nodes: z.array(NodeRoundSchema).default([]),
  backup: BackupRecordSchema.optional(),
  crdsRemoved: z.array(z.string()).optional(),
  /** CleanNodes: each cleaned node's inventory, by node name. */
  inventories: z.record(z.string(), NodeInventorySchema).optional(),
  haltReason: z.string().max(4096).optional(),
  /** What the current step waits for (the promotion gate's instruction, what is still terminating). */
  waitingFor: z.string().max(4096).optional(),
  times: z.array(StageTimeSchema).default([]),
});
export type StageRecord = z.infer<typeof StageRecordSchema>;

/** Reads `status.stage`; absent or malformed reads as "no stage started". */
export function readStageRecord(raw: unknown): StageRecord | undefined {
  if (raw === undefined || raw === null) return undefined;
  const r = StageRecordSchema.safeParse(raw);
  return r.success ? r.data : undefined;
}

export const firstStepOf = (stage: StageName): StageStep => STAGE_STEPS[stage][0];

/** The stage after `stage`, or undefined after the last. */
export function stageAfter(stage: StageName): StageName | undefined {
  return STAGE_NAMES[STAGE_NAMES.indexOf(stage) + 1];
}

/** Seconds each recorded stage took (so far, for the running one). */
export function stageDurations(times: readonly StageTime[], now: Date): Record<string, number> {
  const out: Record<string, number> = {};
  for (const t of times) {
    const end = t.finishedAt ? new Date(t.finishedAt) : now;
    out[t.name] = Math.max(0, Math.round((end.getTime() - new Date(t.startedAt).getTime()) / 100) / 10);
  }
  return out;
}
