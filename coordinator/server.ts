/**
 * The coordinator's long-running mode: probes now; the agent API, leader election and the migration
 * engine are wired in here as they arrive.
 */
import type { CoordinatorConfig } from '../shared/config.js';
import type { Logger } from '../shared/logger.js';
import { startProbeServer } from '../shared/probe-server.js';
import { VERSION } from '../shared/version.js';

export interface CoordinatorDeps {
  config: CoordinatorConfig;
  log: Logger;
  stop: Promise<unknown>;
}

export async function runCoordinator({ config, log, stop }: CoordinatorDeps): Promise<void> {
  const probes = await startProbeServer(config.bindAddress, config.port);
  log.info({ version: VERSION, port: probes.port, node: config.nodeName }, 'coordinator started');
  probes.setReady(true);
  await stop;
  log.info('coordinator stopping');
  probes.setReady(false);
  await probes.close();
}
