/**
 * A NodeHost for simulated nodes (demo and end-to-end tests). Boot id and kernel come from the simulated
 * node; a reboot is handed to the simulation; CNI files and Calico leftovers live in an in-memory model of
 * the node. Nothing here touches the real host.
 */
import type { IptablesBackend } from '../../shared/api.js';
import type { CleanupOptions, CleanupReport, NodeHost, RestoreCniReport } from '../../agent/host/node-host.js';

/** What the simulation tells us about a node, and how it reboots one. */
export interface SimNodeSource {
  bootId(nodeName: string): string | Promise<string>;
  kernel?(nodeName: string): string | Promise<string>;
  /** Hand a reboot to the simulation; not awaited by `reboot()` (a real reboot never returns either). */
  rebootNode(nodeName: string): Promise<unknown>;
  /** Whether the node's Cilium agent manages its CNI config after this boot (it renames Calico's away). */
  ciliumManaged?(nodeName: string): boolean | Promise<boolean>;
}

export const CILIUM_CONFLIST = '05-cilium.conflist';
export const CALICO_CONFLIST = '10-calico.conflist';
const BACKUP_SUFFIX = '.cilium_bak';

/** A freshly provisioned Calico node's leftovers, by kind. */
export const CALICO_NODE_ITEMS: Readonly<Record<string, number>> = {
  'iptables-rules': 48,
  chains: 21,
  ipsets: 4,
  routes: 3,
  links: 2,
  files: 3,
};

export class SimNodeHost implements NodeHost {
  readonly cniFiles = new Set<string>([CALICO_CONFLIST]);
  private calico: Record<string, number> = { ...CALICO_NODE_ITEMS };
  rebootRequests = 0;
  /** Cleanups run for real (not dry runs): a second one on a clean node would show here. */
  cleanupRuns = 0;

  constructor(
    readonly nodeName: string,
    private readonly source: SimNodeSource,
  ) {}

  async bootId(): Promise<string> {
    return this.source.bootId(this.nodeName);
  }

  async kernel(): Promise<string> {
    return (await this.source.kernel?.(this.nodeName)) ?? '6.1.0-sim';
  }

  async reboot(): Promise<void> {
    this.rebootRequests += 1;
    if ((await this.source.ciliumManaged?.(this.nodeName)) === true) this.ciliumTakesOverCni();
    void this.source.rebootNode(this.nodeName).catch(() => undefined);
  }

  /** What Cilium's cni-exclusive does when its agent starts on the node. */
  ciliumTakesOverCni(): void {
    for (const f of [...this.cniFiles]) {
      if (f !== CILIUM_CONFLIST && !f.endsWith(BACKUP_SUFFIX)) {
        this.cniFiles.delete(f);
        this.cniFiles.add(`${f}${BACKUP_SUFFIX}`);
      }
    }
    this.cniFiles.add(CILIUM_CONFLIST);
  }

  restoreCniFiles(): Promise<RestoreCniReport> {
    const removedCiliumConf = this.cniFiles.delete(CILIUM_CONFLIST);
    const restored: string[] = [];
    for (const f of [...this.cniFiles].filter((name) => name.endsWith(BACKUP_SUFFIX))) {
      const original = f.slice(0, -BACKUP_SUFFIX.length);
      this.cniFiles.delete(f);
      this.cniFiles.add(original);
      restored.push(original);
    }
    return Promise.resolve({ removedCiliumConf, restored });
  }

  cleanup(opts: CleanupOptions): Promise<CleanupReport> {
    const started = Date.now();
    const removed = Object.fromEntries(Object.entries(this.calico).filter(([, n]) => n > 0));
    if (!opts.dryRun) {
      this.calico = {};
      this.cleanupRuns += 1;
    }
    const leftover = Object.values(this.calico).reduce((a, b) => a + b, 0);
    const leftByKind = Object.fromEntries(Object.keys(CALICO_NODE_ITEMS).map((kind) => [kind, this.calico[kind] ?? 0]));
    const verb = opts.dryRun ? 'would remove' : 'removed';
    const notes = Object.entries(removed).map(([kind, n]) => `${verb} ${n} ${kind}`);
    return Promise.resolve({ dryRun: opts.dryRun, removed, leftover, leftByKind, durationMs: Date.now() - started, notes });
  }

  iptablesBackends(): Promise<IptablesBackend[]> {
    return Promise.resolve(['nft']);
  }

  /** Calico items still on the node. */
  leftoverItems(): number {
    return Object.values(this.calico).reduce((a, b) => a + b, 0);
  }

  calicoLeftovers(): Promise<boolean> {
    return Promise.resolve(Object.values(this.calico).some((n) => n > 0));
  }
}
