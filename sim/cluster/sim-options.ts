/** The simulated cluster's options, validated once. */
import { z } from 'zod';
import { ConfigError } from '../../shared/errors.js';
import { NodeFaultsSchema } from './faults.js';
import { SeedSettingsSchema } from './seed/settings.js';

/** A prefix that keeps `<prefix>-worker-NNNN` a valid RFC 1123 label (lower-case alphanumerics and '-'). */
export const NodePrefixSchema = z
  .string()
  .max(40, 'node prefix must be at most 40 characters')
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'node prefix must be lower-case letters, digits and inner dashes (an RFC 1123 label)');

export const SimClusterOptionsSchema = z
  .strictObject({
    nodes: z.number().int().min(1).max(5000),
    controlPlanes: z.number().int().min(0).max(5000).default(1),
    /** First part of every simulated node's name (`<prefix>-cp-1`, `<prefix>-worker-1`…). */
    nodePrefix: NodePrefixSchema.default('sim'),
    seed: z.number().int().default(1),
    faults: NodeFaultsSchema.partial().optional(),
    rebootDowntimeMs: z.number().int().nonnegative().default(1500),
    ciliumReadyDelayMs: z.number().int().nonnegative().default(500),
    /** The kube-node-lease Lease renewals (a kubelet renews every 10 s; nothing here reads them). */
    heartbeatIntervalMs: z.number().int().nonnegative().default(30_000),
    /** An unchanged Node status written again (a kubelet's nodeStatusReportFrequency: 5 minutes). */
    statusReportIntervalMs: z.number().int().nonnegative().default(300_000),
    /** A failed status write tried again (a kubelet's nodeStatusUpdateFrequency: 10 s). */
    statusRetryMs: z.number().int().positive().default(10_000),
    deleteDelayMs: z.number().int().nonnegative().default(0),
    withoutDemoWorkloads: z.boolean().default(false),
    /** Labels on every object the simulation creates (Nodes, their Leases, seeded objects): who owns them. */
    ownerLabels: z.record(z.string(), z.string()).optional(),
    /** Taints on every simulated Node (keeps a real cluster's workloads off simulated nodes). */
    nodeTaints: z.array(z.strictObject({ key: z.string().min(1), value: z.string().optional(), effect: z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute']) })).optional(),
    /** How the seeded cluster is set up: Calico's install and pool, Cilium's pool and Helm release, deliberate problems. */
    shape: SeedSettingsSchema.prefault({}),
    /** Third mode: play kubelets against the API server of this kubeconfig (no embedded server, no controllers). */
    kubeconfig: z.string().min(1).optional(),
    /** Embedded mode: where the API server listens. */
    port: z.number().int().min(0).max(65535).optional(),
    host: z.string().min(1).optional(),
    /** Embedded mode: serve HTTPS with this certificate (kubectl only sends credentials over TLS). */
    tls: z.strictObject({ cert: z.string().min(1), key: z.string().min(1) }).optional(),
  })
  .refine((o) => o.controlPlanes <= o.nodes, { message: 'controlPlanes must not exceed nodes', path: ['controlPlanes'] });

export type SimClusterOptions = z.input<typeof SimClusterOptionsSchema>;
export type ResolvedSimClusterOptions = z.output<typeof SimClusterOptionsSchema>;

/** Validate options; bad input is a ConfigError naming each bad key. */
export function parseSimOptions(input: SimClusterOptions): ResolvedSimClusterOptions {
  const parsed = SimClusterOptionsSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(options)'}: ${i.message}`);
  throw new ConfigError(`invalid simulated cluster options: ${issues.join('; ')}`, issues);
}
