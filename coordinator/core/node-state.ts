/**
 * A node's migration state, as recorded in its annotations. Everything the coordinator needs to resume
 * lives here (plus the grant Leases), so a restarted coordinator reads it back and carries on.
 */
import { z } from 'zod';
import { PhaseSchema, type Phase } from '../../shared/phases.js';
import { NodeAnnotation, PHASE_LABEL } from '../../shared/names.js';

export const DirectionSchema = z.enum(['migrate', 'rollback']);
export type Direction = z.infer<typeof DirectionSchema>;

export const OperatorRequestSchema = z.enum(['retry', 'rollback']);
export type OperatorRequest = z.infer<typeof OperatorRequestSchema>;

/** The phases in which each operator request is accepted; in any other phase it is refused (or cleared if set). */
export const REQUEST_ACCEPTED_IN: Readonly<Record<OperatorRequest, readonly Phase[]>> = {
  retry: ['Halted', 'RolledBack'],
  rollback: ['Halted'],
};
/** The phases that accept some operator request. */
export const REQUEST_PHASES: readonly Phase[] = [...new Set(Object.values(REQUEST_ACCEPTED_IN).flat())];

export const RecordedResultSchema = z.object({
  orderId: z.string(),
  outcome: z.enum(['succeeded', 'failed', 'refused']),
  message: z.string(),
  /** A cleanup's counts: Calico items found (removed or not) by kind, and how many are left. */
  found: z.record(z.string(), z.number().int().nonnegative()).optional(),
  left: z.number().int().nonnegative().optional(),
  leftByKind: z.record(z.string(), z.number().int().nonnegative()).optional(),
});
export type RecordedResult = z.infer<typeof RecordedResultSchema>;

export interface NodeState {
  name: string;
  phase: Phase;
  attempt: number;
  phaseSince: Date | undefined;
  /** When the node was granted (this attempt sequence), and when it reached Done or RolledBack. */
  startedAt: Date | undefined;
  finishedAt: Date | undefined;
  direction: Direction;
  wasUnschedulable: boolean;
  bootIdBefore: string | undefined;
  ciliumPodBefore: string | undefined;
  peers: string[];
  haltReason: string | undefined;
  failedPhase: Phase | undefined;
  lastResult: RecordedResult | undefined;
  request: OperatorRequest | undefined;
  /** When an order was first handed to the agent (which order: compare with the current order id). */
  orderDelivered?: OrderDelivery | undefined;
  /** When the agent was last heard from, as last recorded on the Node. */
  agentSeen?: Date | undefined;
}

export interface OrderDelivery {
  orderId: string;
  at: Date;
}

/** The `order-delivered` annotation's value: `<order id> <RFC 3339 time>`. */
export const formatOrderDelivery = (d: OrderDelivery): string => `${d.orderId} ${d.at.toISOString()}`;

function parsedDelivery(raw: string | undefined): OrderDelivery | undefined {
  const [orderId, at, extra] = (raw ?? '').split(' ');
  const when = parsedDate(at);
  return orderId && when && extra === undefined ? { orderId, at: when } : undefined;
}

/** An annotation patch: a string sets, null removes (JSON merge patch semantics). */
export type AnnotationPatch = Record<string, string | null>;

/** The label patch that mirrors a phase change in an annotation patch (none when the phase does not change). */
export function phaseLabelPatch(patch: AnnotationPatch): { labels?: Record<string, string | null> } {
  const phase = patch[NodeAnnotation.phase];
  return phase === undefined ? {} : { labels: { [PHASE_LABEL]: phase } };
}

function parsed<T>(schema: z.ZodType<T>, raw: unknown): T | undefined {
  if (raw === undefined) return undefined;
  const r = schema.safeParse(raw);
  return r.success ? r.data : undefined;
}

function parsedJson<T>(schema: z.ZodType<T>, raw: string | undefined): T | undefined {
  if (raw === undefined) return undefined;
  try {
    return parsed(schema, JSON.parse(raw) as unknown);
  } catch {
    return undefined;
  }
}

function parsedDate(raw: string | undefined): Date | undefined {
  if (raw === undefined) return undefined;
  const d = new Date(raw);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

const nonEmpty = (raw: string | undefined): string | undefined => (raw ? raw : undefined);

/** Reads the state from a Node's annotations; unknown or malformed values read as absent. */
export function readNodeState(name: string, annotations: Record<string, string> | undefined): NodeState {
  const a = annotations ?? {};
  const attempt = Number.parseInt(a[NodeAnnotation.attempt] ?? '0', 10);
  return {
    name,
    phase: parsed(PhaseSchema, a[NodeAnnotation.phase]) ?? 'Pending',
    attempt: Number.isFinite(attempt) && attempt >= 0 ? attempt : 0,
    phaseSince: parsedDate(a[NodeAnnotation.phaseSince]),
    startedAt: parsedDate(a[NodeAnnotation.startedAt]),
    finishedAt: parsedDate(a[NodeAnnotation.finishedAt]),
    direction: parsed(DirectionSchema, a[NodeAnnotation.direction]) ?? 'migrate',
    wasUnschedulable: a[NodeAnnotation.wasUnschedulable] === 'true',
    bootIdBefore: nonEmpty(a[NodeAnnotation.bootIdBefore]),
    ciliumPodBefore: a[NodeAnnotation.ciliumPodBefore],
    peers: (a[NodeAnnotation.validatePeers] ?? '').split(' ').filter((p) => p !== ''),
    haltReason: nonEmpty(a[NodeAnnotation.haltReason]),
    failedPhase: parsed(PhaseSchema, a[NodeAnnotation.failedPhase]),
    lastResult: parsedJson(RecordedResultSchema, a[NodeAnnotation.lastResult]),
    request: parsed(OperatorRequestSchema, a[NodeAnnotation.request]),
    orderDelivered: parsedDelivery(a[NodeAnnotation.orderDelivered]),
    agentSeen: parsedDate(a[NodeAnnotation.agentSeen]),
  };
}
