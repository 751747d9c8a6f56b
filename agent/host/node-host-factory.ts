/**
 * Wires the real node host from its parts: one CommandRunner, the iptables module behind the
 * firewall port, and the host's filesystem, procfs and boot id paths.
 */
import type { CommandRunner } from './exec.js';
import type { Logger } from '../../shared/logger.js';
import type { RebootMethod } from './commands/reboot.js';
import { RealNodeHost } from './real-node-host.js';
import { createIptablesFirewall } from './iptables-firewall.js';
import { backendsInUse } from './iptables/index.js';
import type { CleanupDeps } from './cleanup.js';

export interface NodePaths {
  /** Where the host's filesystem is mounted (`/host` in the DaemonSet). */
  hostRoot: string;
  /** procfs showing the host's processes and this network namespace (`/proc` with hostPID). */
  procRoot: string;
}

export function createCleanupDeps(run: CommandRunner, paths: NodePaths, log: Logger): CleanupDeps {
  return { run, firewall: createIptablesFirewall(run, paths.procRoot, log), ...paths, log };
}

export interface RealNodeHostConfig extends NodePaths {
  bootIdPath: string;
  rebootMethod: RebootMethod;
}

export function createRealNodeHost(run: CommandRunner, config: RealNodeHostConfig, log: Logger): RealNodeHost {
  return new RealNodeHost({
    ...createCleanupDeps(run, config, log),
    bootIdPath: config.bootIdPath,
    rebootMethod: config.rebootMethod,
    iptablesBackends: () => backendsInUse(run, { procRoot: config.procRoot }),
  });
}
