/**
 * Every iptables argv the agent runs, built in one place. Pure: no I/O here.
 *
 * Reads go through `*-save` (which never creates a table); writes go through ONE
 * `*-restore --noflush --wait` transaction per table.
 */
import type { IptablesBackend } from '../../../shared/api.js';

export type Family = 'ipv4' | 'ipv6';

export interface IptablesTarget {
  backend: IptablesBackend;
  family: Family;
}

/** Every backend × family the agent looks at, in cleanup order. */
export const ALL_IPTABLES_TARGETS: readonly IptablesTarget[] = [
  { backend: 'legacy', family: 'ipv4' },
  { backend: 'legacy', family: 'ipv6' },
  { backend: 'nft', family: 'ipv4' },
  { backend: 'nft', family: 'ipv6' },
];

/** `iptables-legacy`, `ip6tables-nft`, … : the binary stem for one target. */
export function iptablesBinary(target: IptablesTarget): string {
  const stem = target.family === 'ipv4' ? 'iptables' : 'ip6tables';
  return `${stem}-${target.backend}`;
}

/** Dump every table of one target. Never creates a table (unlike `iptables -t X`). */
export function iptablesSaveArgv(target: IptablesTarget): string[] {
  return [`${iptablesBinary(target)}-save`];
}

/** Apply one table's delta atomically, keeping every rule the payload does not name. */
export function iptablesRestoreArgv(target: IptablesTarget): string[] {
  return [`${iptablesBinary(target)}-restore`, '--noflush', '--wait'];
}

/** One plain `iptables` call against one table (the community per-chain method, used for comparison only). */
export function iptablesCommandArgv(target: IptablesTarget, table: string, args: readonly string[]): string[] {
  return [iptablesBinary(target), '--wait', '-t', table, ...args];
}

/** The procfs file listing the legacy tables that exist (read instead of running `iptables-legacy -t X`). */
export function legacyTableNamesPath(procRoot: string, family: Family): string {
  const file = family === 'ipv4' ? 'ip_tables_names' : 'ip6_tables_names';
  return `${procRoot}/net/${file}`;
}
