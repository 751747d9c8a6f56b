/**
 * The real NodeHost: host commands through one injected CommandRunner, the host's filesystem under
 * `hostRoot`, host processes under `procRoot`, and the boot id read from `bootIdPath`.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { CommandRunner } from './exec.js';
import type { CleanupOptions, CleanupReport, NodeHost, RestoreCniReport } from './node-host.js';
import type { IptablesBackend } from '../../shared/api.js';
import { BootIdSchema } from '../../shared/api.js';
import { PreconditionError } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';
import type { FirewallCleanup } from './firewall-step.js';
import type { RebootMethod } from './commands/reboot.js';
import { cleanupNode } from './cleanup.js';
import { leftoverCount, takeInventory } from './inventory.js';
import { restoreCniFiles } from './cni-rollback.js';
import { requestReboot } from './reboot.js';

export interface RealNodeHostOptions {
  run: CommandRunner;
  hostRoot: string;
  procRoot: string;
  bootIdPath: string;
  rebootMethod: RebootMethod;
  firewall: FirewallCleanup;
  /** Which iptables backends hold rules (the iptables module's probe). */
  iptablesBackends: () => Promise<IptablesBackend[]>;
  log: Logger;
}

export class RealNodeHost implements NodeHost {
  constructor(private readonly opts: RealNodeHostOptions) {}

  async bootId(): Promise<string> {
    const raw = (await readFile(this.opts.bootIdPath, 'utf8')).trim();
    const parsed = BootIdSchema.safeParse(raw);
    if (!parsed.success) throw new PreconditionError(`${this.opts.bootIdPath} holds no boot id: ${raw.slice(0, 64)}`);
    return parsed.data;
  }

  async kernel(): Promise<string> {
    return (await readFile(path.join(this.opts.procRoot, 'sys/kernel/osrelease'), 'utf8')).trim();
  }

  async reboot(): Promise<void> {
    this.opts.log.warn({ method: this.opts.rebootMethod }, 'requesting host reboot');
    await requestReboot(this.opts.run, this.opts.rebootMethod);
  }

  async restoreCniFiles(): Promise<RestoreCniReport> {
    const report = await restoreCniFiles(this.opts.hostRoot);
    this.opts.log.info(report, 'cni config restored');
    return report;
  }

  cleanup(opts: CleanupOptions): Promise<CleanupReport> {
    return cleanupNode(this.opts, opts);
  }

  iptablesBackends(): Promise<IptablesBackend[]> {
    return this.opts.iptablesBackends();
  }

  async calicoLeftovers(): Promise<boolean> {
    return leftoverCount(await takeInventory(this.opts)) > 0;
  }
}
