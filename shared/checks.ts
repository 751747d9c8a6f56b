/**
 * The validation check pod's report. The check pod writes it as JSON to its termination message
 * (`/dev/termination-log`, at most 4 KiB); the agent parses it strictly; the simulated kubelet produces
 * the same format.
 */
import { z } from 'zod';

export const CHECK_REPORT_VERSION = 1;

export const CheckNameSchema = z.enum(['pod-cidr', 'api', 'ping', 'dns']);
export type CheckName = z.infer<typeof CheckNameSchema>;

export const CheckResultSchema = z.strictObject({
  check: CheckNameSchema,
  /** What was checked: the CIDR, the API URL, the peer IP, the DNS name. */
  target: z.string().min(1).max(256),
  ok: z.boolean(),
  latencyMs: z.number().nonnegative(),
  /** Short evidence: the pod IP, the HTTP status, the resolved address, or the error. */
  detail: z.string().max(256),
});
export type CheckResult = z.infer<typeof CheckResultSchema>;

export const CheckReportSchema = z.strictObject({
  version: z.literal(CHECK_REPORT_VERSION),
  podIP: z.string().max(64),
  results: z.array(CheckResultSchema).min(1).max(32),
});
export type CheckReport = z.infer<typeof CheckReportSchema>;

/**
 * How the agent tells the check pod what to check: env variables of its single container `check`.
 * The simulated kubelet reads the same variables to play the pod from its network model.
 */
export const CHECK_CONTAINER_NAME = 'check';
export const CheckEnv = {
  /** The CIDR the pod's IP must fall in (Cilium's after migration, Calico's after rollback). */
  expectedCidr: 'CHECK_EXPECTED_CIDR',
  /** Space-separated peer pod IPs to ping. */
  peers: 'CHECK_PEERS',
  /** The name to resolve through cluster DNS. */
  dnsName: 'CHECK_DNS_NAME',
  /** Per-check timeout in seconds. */
  timeoutSeconds: 'CHECK_TIMEOUT_SECONDS',
} as const;
