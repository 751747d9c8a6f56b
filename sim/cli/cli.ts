/**
 * The `sim` command line: flags → validated options → `startSimCluster`. Standalone mode (an HTTP API
 * server of its own, an admin kubeconfig written to a file) or the third mode (`--kubeconfig`: play the
 * kubelets of simulated nodes against an existing API server). Bad flags are a ConfigError (exit 2).
 */
import { writeFile } from 'node:fs/promises';
import { Command, Option } from 'commander';
import { z } from 'zod';
import { ConfigError } from '../../shared/errors.js';
import { LOG_LEVELS, type LogLevel } from '../../shared/logger.js';
import type { SimCluster, SimClusterOptions } from '../index.js';
import { NodePrefixSchema } from '../cluster/sim-options.js';
import { SEED_BREAKS, SeedSettingsSchema } from '../cluster/seed/settings.js';

const int = (flag: string, min: number, max: number) =>
  z.coerce.number({ error: `${flag} must be a number` }).int(`${flag} must be an integer`).min(min, `${flag} must be at least ${min}`).max(max, `${flag} must be at most ${max}`);

const FlagsSchema = z
  .strictObject({
    port: int('--port', 0, 65535).optional(),
    host: z.string().min(1).optional(),
    nodes: int('--nodes', 1, 5000).default(6),
    controlPlanes: int('--control-planes', 0, 5000).default(1),
    nodePrefix: NodePrefixSchema.default('sim'),
    seed: int('--seed', 0, 2 ** 31 - 1).default(1),
    rebootDowntimeMs: int('--reboot-downtime-ms', 0, 3_600_000).optional(),
    ciliumReadyDelayMs: int('--cilium-ready-delay-ms', 0, 3_600_000).optional(),
    heartbeatIntervalMs: int('--heartbeat-interval-ms', 0, 3_600_000).optional(),
    statusReportIntervalMs: int('--status-report-interval-ms', 0, 3_600_000).optional(),
    writeKubeconfig: z.string().min(1).optional(),
    kubeconfig: z.string().min(1).optional(),
    insecureHttp: z.boolean().default(false),
    logLevel: z.enum(LOG_LEVELS).default('info'),
    calicoInstall: SeedSettingsSchema.shape.calicoInstall,
    calicoPool: SeedSettingsSchema.shape.calicoPool,
    ciliumPool: SeedSettingsSchema.shape.ciliumPool,
    ciliumHelm: SeedSettingsSchema.shape.ciliumHelm,
    scenario: z.array(z.enum(SEED_BREAKS)).default([]),
  })
  .refine((f) => !(f.kubeconfig && (f.port !== undefined || f.writeKubeconfig)), {
    message: '--kubeconfig (third mode) cannot be combined with --port or --write-kubeconfig',
  })
  .refine((f) => f.controlPlanes <= f.nodes, { message: '--control-planes must not exceed --nodes' });

export type SimFlags = z.output<typeof FlagsSchema>;

export function parseSimFlags(raw: Record<string, unknown>): SimFlags {
  const parsed = FlagsSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => i.message);
  throw new ConfigError(`invalid flags: ${issues.join('; ')}`, issues);
}

/** Whether the standalone server should get a self-signed certificate (HTTPS unless asked otherwise). */
export const wantsTls = (flags: SimFlags): boolean => flags.kubeconfig === undefined && !flags.insecureHttp;

export function simOptionsFrom(flags: SimFlags): SimClusterOptions {
  const { writeKubeconfig: _w, logLevel: _l, insecureHttp: _i, calicoInstall, calicoPool, ciliumPool, ciliumHelm, scenario, ...options } = flags;
  return { ...options, shape: { calicoInstall, calicoPool, ciliumPool, ciliumHelm, breaks: scenario } };
}

export interface SimRunner {
  /** Start the cluster, report it, run until `stop`, then close it. */
  run(flags: SimFlags, logLevel: LogLevel): Promise<void>;
}

export function buildSimProgram(runner: SimRunner): Command {
  const program = new Command('sim')
    .description('A simulated Kubernetes cluster (API server, controllers, kubelets) running Calico with Cilium beside it.')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) })
    .addOption(new Option('--port <n>', 'API server port (0: any free port)'))
    .addOption(new Option('--host <addr>', 'API server listen address (default 127.0.0.1)'))
    .addOption(new Option('--nodes <n>', 'number of simulated nodes').default('6'))
    .addOption(new Option('--node-prefix <prefix>', 'first part of every simulated node name (an RFC 1123 label)').default('sim'))
    .addOption(new Option('--control-planes <n>', 'how many of them are control-plane nodes').default('1'))
    .addOption(new Option('--seed <n>', 'seed of every random choice').default('1'))
    .addOption(new Option('--reboot-downtime-ms <n>', 'how long a rebooting node stays NotReady'))
    .addOption(new Option('--cilium-ready-delay-ms <n>', 'how long a new Cilium pod takes to become Ready'))
    .addOption(new Option('--heartbeat-interval-ms <n>', 'node Lease renewal interval'))
    .addOption(new Option('--status-report-interval-ms <n>', 'interval of an unchanged node status report (default 300000, as a kubelet)'))
    .addOption(new Option('--write-kubeconfig <path>', 'write an admin kubeconfig for the standalone API server here'))
    .addOption(new Option('--kubeconfig <path>', 'third mode: play the kubelets against this existing API server'))
    .addOption(new Option('--insecure-http', 'standalone: serve plain HTTP instead of HTTPS with a self-signed certificate'))
    .addOption(new Option('--log-level <level>', 'log level').choices([...LOG_LEVELS]).default('info'))
    .addOption(new Option('--calico-install <how>', 'how Calico was installed').choices(['manifest', 'operator']))
    .addOption(new Option('--calico-pool <cidr>', "Calico's IPPool (default 10.244.0.0/16; Calico's own default is 192.168.0.0/16)"))
    .addOption(new Option('--cilium-pool <cidr>', "Cilium's cluster pool (default 10.245.0.0/16)"))
    .addOption(new Option('--no-cilium-helm', 'Cilium installed without Helm (no release Secret)'))
    .addOption(new Option('--scenario <problem...>', 'problems the cluster carries for pre-flight to find').choices([...SEED_BREAKS]))
    .action(async (raw: Record<string, unknown>) => {
      const flags = parseSimFlags(raw);
      await runner.run(flags, flags.logLevel);
    });
  return program;
}

/** Write the admin kubeconfig of a running standalone cluster (kubectl reads JSON kubeconfigs). */
export async function writeKubeconfig(sim: SimCluster, path: string): Promise<void> {
  await writeFile(path, sim.kubeConfig().exportConfig(), { mode: 0o600 });
}
