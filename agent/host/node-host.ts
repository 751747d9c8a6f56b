/**
 * Everything the agent does to its own node, behind one narrow interface. The real implementation
 * runs host commands (argv arrays, through one executor); the demo and tests pass a simulated host.
 */
import type { IptablesBackend } from '../../shared/api.js';

export interface CleanupOptions {
  dryRun: boolean;
  /** Clean even while calico-node still runs on the node. */
  force: boolean;
}

export interface CleanupReport {
  dryRun: boolean;
  /** Count of removed (or, in a dry run, to-be-removed) items by kind: iptables-rules, chains, ipsets, routes, links, files… */
  removed: Record<string, number>;
  /** Calico items still present afterwards (0 means clean). */
  leftover: number;
  /** The same by kind (every kind the inventory counts, 0 included). */
  leftByKind: Record<string, number>;
  durationMs: number;
  /** Human-readable lines: what went, what stayed, warnings (e.g. an ipset kept because a non-Calico rule uses it). */
  notes: string[];
}

export interface RestoreCniReport {
  /** `05-cilium.conflist` was removed. */
  removedCiliumConf: boolean;
  /** Files renamed from `<name>.cilium_bak` back to `<name>`. */
  restored: string[];
}

export interface NodeHost {
  /** The current boot id (`/proc/sys/kernel/random/boot_id`). */
  bootId(): Promise<string>;
  /** The running kernel release. */
  kernel(): Promise<string>;
  /** Ask the host to reboot. Returns once the request was handed to the host; the process may die any time after. */
  reboot(): Promise<void>;
  /** Undo Cilium's cni-exclusive renames under /etc/cni/net.d. Idempotent. */
  restoreCniFiles(): Promise<RestoreCniReport>;
  /** Remove Calico's leftovers (or, with dryRun, only report them). Idempotent. */
  cleanup(opts: CleanupOptions): Promise<CleanupReport>;
  /** Which iptables backends hold any rules. */
  iptablesBackends(): Promise<IptablesBackend[]>;
  /** Whether any Calico state is left on the node. */
  calicoLeftovers(): Promise<boolean>;
}
