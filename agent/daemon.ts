/**
 * The agent's long-running mode: it serves probes and runs the conversation with the coordinator
 * until it is asked to stop.
 */
import { readFile } from 'node:fs/promises';
import type { KubeConfig } from '@kubernetes/client-node';
import type { AgentConfig } from '../shared/config.js';
import type { Logger } from '../shared/logger.js';
import { startProbeServer } from '../shared/probe-server.js';
import { VERSION } from '../shared/version.js';
import { createCommandRunner } from './host/exec.js';
import { createRealNodeHost } from './host/node-host-factory.js';
import type { NodeHost } from './host/node-host.js';
import { withCachedProbes } from './host/cached-probes.js';
import { discoveringLocator, fixedLocator, type CoordinatorLocator } from './loop/locate-coordinator.js';
import { kubeAddressSources } from './kube/coordinator-address.js';
import { loadAgentKubeConfig, readPodUid } from './kube/agent-pod.js';
import { startAgent } from './loop/start-agent.js';

export interface AgentDaemonDeps {
  config: AgentConfig;
  log: Logger;
  /** Resolves when the agent must stop. */
  stop: Promise<unknown>;
  /** The node host; the real one (host commands) unless given (tests pass a simulated host). */
  host?: NodeHost;
}

function buildHost(config: AgentConfig, log: Logger): NodeHost {
  const real = createRealNodeHost(
    createCommandRunner(),
    { hostRoot: config.hostRoot, procRoot: '/proc', bootIdPath: config.bootIdPath, rebootMethod: config.rebootMethod },
    log,
  );
  const override = config.bootIdOverride;
  if (override === undefined) return withCachedProbes(real);
  return withCachedProbes({
    bootId: () => Promise.resolve(override),
    kernel: () => real.kernel(),
    reboot: () => real.reboot(),
    restoreCniFiles: () => real.restoreCniFiles(),
    cleanup: (opts) => real.cleanup(opts),
    iptablesBackends: () => real.iptablesBackends(),
    calicoLeftovers: () => real.calicoLeftovers(),
  });
}

function buildLocator(config: AgentConfig, kc: KubeConfig, log: Logger): CoordinatorLocator {
  if (config.coordinatorUrl !== undefined) return fixedLocator(config.coordinatorUrl);
  return discoveringLocator(kubeAddressSources(kc, config.coordinatorNamespace, config.coordinatorService, log));
}

export async function runAgentDaemon({ config, log, stop, host }: AgentDaemonDeps): Promise<void> {
  const probes = await startProbeServer(config.healthBind, config.healthPort);
  log.info({ node: config.nodeName, version: VERSION, healthPort: probes.port }, 'agent started');
  const kc = loadAgentKubeConfig(config.kubeconfig);
  const agent = startAgent({
    kc,
    host: host ?? buildHost(config, log),
    nodeName: config.nodeName,
    pod: { name: config.podName, namespace: config.podNamespace, uid: config.podUid ?? (await readPodUid(kc, config.podNamespace, config.podName)) },
    agentVersion: VERSION,
    locator: buildLocator(config, kc, log),
    readToken: async () => (await readFile(config.tokenPath, 'utf8')).trim(),
    checkImage: config.checkImage,
    forceCleanup: config.forceCleanup,
    log,
  });
  probes.setReady(true);
  await stop;
  log.info({ node: config.nodeName }, 'agent stopping');
  probes.setReady(false);
  await agent.stop();
  await probes.close();
}
