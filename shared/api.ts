/**
 * The agent ↔ coordinator HTTP contract. The agent always initiates: it registers, sends heartbeats,
 * long-polls for its current order and reports results. Both sides validate every body with these schemas.
 *
 *   POST /v1/register            RegisterRequest  -> RegisterResponse
 *   POST /v1/heartbeat           Heartbeat        -> HeartbeatResponse
 *   GET  /v1/nodes/:node/order   ?waitSeconds=N&after=<orderId>  -> OrderResponse (long-poll)
 *   POST /v1/orders/:id/result   OrderResult      -> ResultAck
 *
 * Every request carries `Authorization: Bearer <projected SA token, audience cni-migrate>`.
 * Errors are ApiError bodies.
 */
import { z } from 'zod';
import { CheckReportSchema } from './checks.js';

export const API_PREFIX = '/v1';
export const MAX_BODY_BYTES = 64 * 1024;
export const MAX_LONG_POLL_SECONDS = 60;

/** RFC 1123 DNS subdomain, as Kubernetes requires for node and pod names. */
export const K8sNameSchema = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'must be a lowercase RFC 1123 name');

/** A Linux boot id (`/proc/sys/kernel/random/boot_id`): a UUID. */
export const BootIdSchema = z
  .string()
  .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'must be a lowercase UUID');

export const Ipv4CidrSchema = z
  .string()
  .regex(/^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$/, 'must be an IPv4 CIDR such as 10.245.0.0/16');
export const Ipv4Schema = z.string().regex(/^(\d{1,3}\.){3}\d{1,3}$/, 'must be an IPv4 address');

/** A container image reference (registry/name:tag or @digest). */
export const ImageRefSchema = z
  .string()
  .min(1)
  .max(512)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._/:@-]*$/, 'must be an image reference');

export const IptablesBackendSchema = z.enum(['legacy', 'nft']);
export type IptablesBackend = z.infer<typeof IptablesBackendSchema>;

const AgentIdentity = {
  nodeName: K8sNameSchema,
  podName: K8sNameSchema,
  bootId: BootIdSchema,
};

export const RegisterRequestSchema = z.strictObject({
  ...AgentIdentity,
  kernel: z.string().min(1).max(256),
  agentVersion: z.string().min(1).max(64),
});
export type RegisterRequest = z.infer<typeof RegisterRequestSchema>;

export const RegisterResponseSchema = z.strictObject({
  heartbeatIntervalSeconds: z.number().int().positive(),
  longPollSeconds: z.number().int().positive().max(MAX_LONG_POLL_SECONDS),
});
export type RegisterResponse = z.infer<typeof RegisterResponseSchema>;

export const HeartbeatSchema = z.strictObject({
  ...AgentIdentity,
  kernel: z.string().min(1).max(256),
  iptablesBackends: z.array(IptablesBackendSchema).max(2),
  calicoLeftovers: z.boolean(),
});
export type Heartbeat = z.infer<typeof HeartbeatSchema>;

export const HeartbeatResponseSchema = z.strictObject({ ok: z.literal(true) });

/** An order id is unique per issued order; a retried delivery carries the same id. */
export const OrderIdSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9._-]+$/, 'must be [A-Za-z0-9._-]');

/** Reboot only while the node's boot id is still `ifBootId`: a second delivery finds a new boot id and refuses. */
export const RebootOrderSchema = z.strictObject({
  kind: z.literal('reboot'),
  id: OrderIdSchema,
  ifBootId: BootIdSchema,
});

/** Run the check pod on this node and report its CheckReport. */
export const ValidateOrderSchema = z.strictObject({
  kind: z.literal('validate'),
  id: OrderIdSchema,
  expectedCidr: Ipv4CidrSchema,
  peers: z.array(Ipv4Schema).max(16),
  dnsName: z.string().min(1).max(253),
  timeoutSeconds: z.number().int().positive().max(600),
  /** The check pod's image, from the Migration's `spec.validation.checkImage`; the agent's own default when absent. */
  image: ImageRefSchema.optional(),
  /** When the coordinator halts this validation: the agent gives up before it, so its own reason arrives first. */
  notAfter: z.iso.datetime().optional(),
});

/** Undo Cilium's cni-exclusive renames under /etc/cni/net.d (per-node rollback). */
export const RestoreCniFilesOrderSchema = z.strictObject({
  kind: z.literal('restore-cni-files'),
  id: OrderIdSchema,
});

/** Remove Calico's leftovers from the node (after Calico is uninstalled). */
export const CleanupOrderSchema = z.strictObject({
  kind: z.literal('cleanup'),
  id: OrderIdSchema,
  dryRun: z.boolean(),
});

export const OrderSchema = z.discriminatedUnion('kind', [
  RebootOrderSchema,
  ValidateOrderSchema,
  RestoreCniFilesOrderSchema,
  CleanupOrderSchema,
]);
export type Order = z.infer<typeof OrderSchema>;
export type OrderKind = Order['kind'];

export const OrderResponseSchema = z.strictObject({ order: OrderSchema.nullable() });
export type OrderResponse = z.infer<typeof OrderResponseSchema>;

export const OrderQuerySchema = z.strictObject({
  waitSeconds: z.coerce.number().int().min(0).max(MAX_LONG_POLL_SECONDS).default(0),
  after: OrderIdSchema.optional(),
});

export const CleanupSummarySchema = z.strictObject({
  removed: z.record(z.string(), z.number().int().nonnegative()),
  leftover: z.number().int().nonnegative(),
  /** Calico items left by kind (absent from agents older than the field). */
  leftByKind: z.record(z.string(), z.number().int().nonnegative()).optional(),
  durationMs: z.number().nonnegative(),
});

export const OrderResultSchema = z.strictObject({
  ...AgentIdentity,
  orderId: OrderIdSchema,
  /** succeeded: done; failed: tried and failed; refused: a precondition did not hold (e.g. boot id moved on). */
  outcome: z.enum(['succeeded', 'failed', 'refused']),
  message: z.string().max(4096),
  checks: CheckReportSchema.optional(),
  cleanup: CleanupSummarySchema.optional(),
});
export type OrderResult = z.infer<typeof OrderResultSchema>;

export const ResultAckSchema = z.strictObject({ accepted: z.boolean() });

export const ApiErrorSchema = z.strictObject({
  error: z.string(),
  message: z.string(),
  issues: z.array(z.string()).optional(),
});
export type ApiError = z.infer<typeof ApiErrorSchema>;
