/**
 * The configuration of both binaries. Every key is a flag and an env variable (see config-spec.ts).
 */
import { z } from 'zod';
import { boolFlag, intFlag, key, type ConfigOf } from './config-spec.js';
import { LOG_LEVELS } from './logger.js';
import { K8sNameSchema, BootIdSchema } from './api.js';
import { MIGRATION_DEFAULT_NAME, TOKEN_AUDIENCE } from './names.js';

export const AGENT_ENV_PREFIX = 'CNI_MIGRATE_AGENT_';
export const COORDINATOR_ENV_PREFIX = 'CNI_MIGRATE_';

const logLevel = key(z.enum(LOG_LEVELS).default('info'), 'Log level.');
const kubeconfig = key(z.string().min(1).optional(), 'Path to a kubeconfig; in-cluster config when unset.');
const port = (dflt: number) => intFlag(dflt, 0, 65535);

export const agentConfigSpec = {
  nodeName: key(K8sNameSchema, 'The node this agent runs on (downward API spec.nodeName).'),
  podName: key(K8sNameSchema, "The agent's own pod name (downward API metadata.name)."),
  podNamespace: key(K8sNameSchema.default('cni-migrate'), "The agent's namespace."),
  podUid: key(z.string().min(1).optional(), "The agent's pod uid; owner of the check pods it creates."),
  coordinatorUrl: key(
    z.url().optional(),
    'Coordinator base URL. When unset, read from the coordinator Service endpoints (no cluster DNS needed).',
  ),
  coordinatorNamespace: key(K8sNameSchema.default('cni-migrate'), "The coordinator's namespace."),
  coordinatorService: key(K8sNameSchema.default('cni-migrate-coordinator'), "The coordinator's Service."),
  tokenPath: key(
    z.string().min(1).default('/var/run/secrets/cni-migrate/token'),
    'Projected ServiceAccount token (audience cni-migrate) sent to the coordinator.',
  ),
  hostRoot: key(z.string().min(1).default('/host'), "Where the host's filesystem is mounted."),
  rebootMethod: key(
    z.enum(['systemctl', 'signal']).default('systemctl'),
    'systemctl: nsenter into PID 1 and run systemctl reboot; signal: SIGRTMIN+5 to PID 1.',
  ),
  bootIdPath: key(z.string().min(1).default('/proc/sys/kernel/random/boot_id'), 'Where the boot id is read.'),
  bootIdOverride: key(BootIdSchema.optional(), 'Testing only: report this boot id instead of reading it.'),
  healthPort: key(port(9877), 'Port of /healthz and /readyz (nothing else listens).'),
  healthBind: key(z.string().min(1).default('0.0.0.0'), 'Address /healthz and /readyz bind to.'),
  checkImage: key(z.string().min(1).default('ghcr.io/nicolaka/netshoot:v0.13'), 'Image of the validation check pod.'),
  forceCleanup: key(boolFlag(false), 'Clean Calico leftovers even while calico-node still runs on the node.'),
  logLevel,
  kubeconfig,
};

export const coordinatorConfigSpec = {
  port: key(port(9876), 'Port of the agent API, /healthz, /readyz and /metrics.'),
  bindAddress: key(z.string().min(1).default('0.0.0.0'), 'Address the HTTP server binds to.'),
  namespace: key(K8sNameSchema.default('cni-migrate'), 'Namespace of the Leases and the agents.'),
  migrationName: key(K8sNameSchema.default(MIGRATION_DEFAULT_NAME), 'Name of the Migration object whose rollout this coordinator runs.'),
  nodeName: key(K8sNameSchema.optional(), 'The node the coordinator runs on; migrated last among its kind.'),
  podName: key(K8sNameSchema.optional(), "The coordinator's pod name; its leader-election identity."),
  advertiseAddress: key(z.string().min(1).optional(), 'Address agents use to reach the coordinator (the host IP).'),
  agentServiceAccount: key(K8sNameSchema.default('cni-migrate-agent'), 'The only ServiceAccount agents may use.'),
  probeServiceAccount: key(K8sNameSchema.default('cni-migrate-probe'), 'The only ServiceAccount the zero-downtime probe pods may use.'),
  audience: key(z.string().min(1).default(TOKEN_AUDIENCE), 'Audience required of agent tokens.'),
  tokenCacheSeconds: key(intFlag(30, 0, 600), 'How long a successful TokenReview is trusted on its own; past it, the token is trusted without another review only while the watch of the namespace\'s pods shows its pod on its node, and never past the token\'s expiry.'),
  leaseDurationSeconds: key(intFlag(15, 2, 300), 'Leader and grant Lease duration.'),
  startupTimeoutSeconds: key(
    intFlag(60, 1, 3600),
    'Deadline for the engine to start (first list and watch of its caches); past it the process exits non-zero.',
  ),
  drainTimeoutSeconds: key(intFlag(600, 1, 86400), 'Deadline of a drain (PDB retries included).'),
  rebootTimeoutSeconds: key(intFlag(900, 1, 86400), 'Deadline for the new boot id; Ready and Cilium Ready are due one more such deadline later (both from the recorded reboot start).'),
  validateTimeoutSeconds: key(intFlag(180, 1, 3600), 'Deadline of the validation check.'),
  dnsName: key(z.string().min(1).default('kubernetes.default.svc.cluster.local'), 'Name the DNS check resolves.'),
  logLevel,
  kubeconfig,
};

export type AgentConfig = ConfigOf<typeof agentConfigSpec>;
export type CoordinatorConfig = ConfigOf<typeof coordinatorConfigSpec>;
