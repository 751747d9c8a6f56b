/**
 * A simulated node whose network lives in a real network namespace: boot id, kernel, reboot and the CNI
 * file renames stay with the simulation (a real reboot is the one thing mocked), while the cleanup, the
 * inventory and the iptables backend probe are the agent's real host code, every host command running
 * inside the namespace (`ip netns exec NAME …`) and every file under the node's own host root.
 */
import type { IptablesBackend } from '../../shared/api.js';
import { silentLogger } from '../../shared/logger.js';
import { withCachedProbes } from '../../agent/host/cached-probes.js';
import { createRealNodeHost } from '../../agent/host/node-host-factory.js';
import type { CleanupOptions, CleanupReport, NodeHost, RestoreCniReport } from '../../agent/host/node-host.js';
import type { SimNodeHost } from '../../sim/host/sim-node-host.js';
import type { DemoNodeHost } from '../../sim/demo/agent-fleet.js';
import type { Netns } from '../support/netns.js';

export interface NetnsNode {
  ns: Netns;
  /** The node's filesystem (Calico's CNI files, binaries, state directories). */
  hostRoot: string;
}

export class NetnsNodeHost implements DemoNodeHost {
  cleanupRuns = 0;
  /** Every cleanup's report, in order (dry runs included). */
  readonly reports: CleanupReport[] = [];
  private readonly real: NodeHost;

  constructor(
    private readonly sim: SimNodeHost,
    node: NetnsNode,
  ) {
    const config = { hostRoot: node.hostRoot, procRoot: node.ns.procRoot, bootIdPath: '/nonexistent', rebootMethod: 'signal' as const };
    // As the agent's daemon wires it: the real host behind the heartbeat's probe cache.
    this.real = withCachedProbes(createRealNodeHost(node.ns.run, config, silentLogger()));
  }

  bootId(): Promise<string> {
    return this.sim.bootId();
  }

  kernel(): Promise<string> {
    return this.sim.kernel();
  }

  reboot(): Promise<void> {
    return this.sim.reboot();
  }

  restoreCniFiles(): Promise<RestoreCniReport> {
    return this.sim.restoreCniFiles();
  }

  async cleanup(opts: CleanupOptions): Promise<CleanupReport> {
    const report = await this.real.cleanup(opts);
    this.reports.push(report);
    if (!opts.dryRun) this.cleanupRuns += 1;
    return report;
  }

  iptablesBackends(): Promise<IptablesBackend[]> {
    return this.real.iptablesBackends();
  }

  calicoLeftovers(): Promise<boolean> {
    return this.real.calicoLeftovers();
  }

  /** What the last real cleanup left (unknown, NaN, before any). */
  leftoverItems(): number {
    const last = this.reports.filter((r) => !r.dryRun).at(-1);
    return last?.leftover ?? Number.NaN;
  }
}
