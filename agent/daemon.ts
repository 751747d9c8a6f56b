/**
 * The agent's long-running mode: it serves probes and runs the conversation with the coordinator
 * until it is asked to stop.
 */
import type { AgentConfig } from '../shared/config.js';
import type { Logger } from '../shared/logger.js';
import { startProbeServer } from '../shared/probe-server.js';
import { VERSION } from '../shared/version.js';

export interface AgentDaemonDeps {
  config: AgentConfig;
  log: Logger;
  /** Resolves when the agent must stop. */
  stop: Promise<unknown>;
}

export async function runAgentDaemon({ config, log, stop }: AgentDaemonDeps): Promise<void> {
  const probes = await startProbeServer(config.healthBind, config.healthPort);
  log.info({ node: config.nodeName, version: VERSION, healthPort: probes.port }, 'agent started');
  probes.setReady(true);
  await stop;
  log.info({ node: config.nodeName }, 'agent stopping');
  probes.setReady(false);
  await probes.close();
}
