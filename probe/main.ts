#!/usr/bin/env node
/**
 * `cni-migrate-probe`: the zero-downtime probe pod (deploy/probe-daemonset.yaml). Its settings come from the
 * environment the DaemonSet and the kubelet give it (no DNS, no API): its node, pod name and address, its
 * token file, and the Service variables of the coordinator and of the probe Service.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { Ipv4Schema, K8sNameSchema } from '../shared/api.js';
import { createLogger } from '../shared/logger.js';
import { PROBE_INTERVAL_MS, PROBE_TCP_PORT, PROBE_UDP_PORT } from '../shared/probe.js';
import { untilStopSignal } from '../shared/signals.js';
import { startProbe } from './probe.js';

const EnvSchema = z.object({
  CNI_MIGRATE_PROBE_NODE_NAME: K8sNameSchema,
  CNI_MIGRATE_PROBE_POD_NAME: K8sNameSchema,
  CNI_MIGRATE_PROBE_POD_IP: Ipv4Schema,
  CNI_MIGRATE_PROBE_TOKEN_PATH: z.string().min(1).default('/var/run/secrets/cni-migrate/token'),
  CNI_MIGRATE_COORDINATOR_SERVICE_HOST: Ipv4Schema,
  CNI_MIGRATE_COORDINATOR_SERVICE_PORT: z.coerce.number().int().min(1).max(65535),
  CNI_MIGRATE_PROBE_SERVICE_HOST: Ipv4Schema.optional(),
  CNI_MIGRATE_PROBE_SERVICE_PORT: z.coerce.number().int().min(1).max(65535).default(PROBE_UDP_PORT),
});

async function main(): Promise<number> {
  const parsed = EnvSchema.safeParse(process.env);
  if (!parsed.success) {
    process.stderr.write(`cni-migrate-probe: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}\n`);
    return 2;
  }
  const env = parsed.data;
  const log = createLogger({ component: 'probe', level: 'info' });
  const probe = await startProbe({
    identity: { nodeName: env.CNI_MIGRATE_PROBE_NODE_NAME, podName: env.CNI_MIGRATE_PROBE_POD_NAME, podIP: env.CNI_MIGRATE_PROBE_POD_IP },
    bindHost: '0.0.0.0',
    udpPort: PROBE_UDP_PORT,
    tcpPort: PROBE_TCP_PORT,
    service: env.CNI_MIGRATE_PROBE_SERVICE_HOST ? { ip: env.CNI_MIGRATE_PROBE_SERVICE_HOST, port: env.CNI_MIGRATE_PROBE_SERVICE_PORT } : undefined,
    coordinatorUrl: `http://${env.CNI_MIGRATE_COORDINATOR_SERVICE_HOST}:${env.CNI_MIGRATE_COORDINATOR_SERVICE_PORT}`,
    token: async () => (await readFile(env.CNI_MIGRATE_PROBE_TOKEN_PATH, 'utf8')).trim(),
    intervalMs: PROBE_INTERVAL_MS,
    reportEveryMs: 1000,
    timeoutMs: 1000,
    log,
  });
  log.info({ node: env.CNI_MIGRATE_PROBE_NODE_NAME }, 'probing');
  await untilStopSignal();
  await probe.stop();
  return 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`cni-migrate-probe: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
