/**
 * Helpers for real-stack iptables tests and the cleanup benchmark: load a Felix fixture into a namespace, snapshot every table
 * of every backend × family, and compute what a correct cleanup must leave (an oracle written with plain
 * regexes, independent of the product's classifier).
 */
import { ALL_IPTABLES_TARGETS, iptablesBinary, type IptablesTarget } from '../../agent/host/commands/iptables.js';
import type { CommandRunner } from '../../agent/host/exec.js';
import type { FelixFixture } from './felix-fixture.js';

/** `backend/family/table` → the table's saved lines (no `#` lines, counters zeroed). */
export type Snapshot = Map<string, string[]>;

export const targetKey = (t: IptablesTarget): string => `${t.backend}/${t.family}`;

/** Create the fixture's ipsets, then load its tables into each target (a full restore, not --noflush). */
export async function loadFixture(run: CommandRunner, fx: FelixFixture, targets: readonly IptablesTarget[]): Promise<void> {
  await run(['ipset', 'restore', '-exist'], { input: fx.ipsetRestore });
  await loadTables(run, fx, targets);
}

/** (Re)load only the fixture's tables: a full restore replaces whatever the tables held. */
export async function loadTables(run: CommandRunner, fx: FelixFixture, targets: readonly IptablesTarget[]): Promise<void> {
  for (const t of targets) {
    await run([`${iptablesBinary(t)}-restore`, '--wait'], { input: t.family === 'ipv4' ? fx.ipv4 : fx.ipv6 });
  }
}

export async function snapshot(run: CommandRunner, targets: readonly IptablesTarget[] = ALL_IPTABLES_TARGETS): Promise<Snapshot> {
  const snap: Snapshot = new Map();
  for (const t of targets) {
    const { stdout } = await run([`${iptablesBinary(t)}-save`]);
    let key = '';
    for (const raw of stdout.split('\n')) {
      if (raw === '' || raw.startsWith('#')) continue;
      if (raw.startsWith('*')) key = `${targetKey(t)}/${raw.slice(1)}`;
      const line = raw.replace(/\[\d+:\d+\]$/, '[0:0]');
      snap.set(key, [...(snap.get(key) ?? []), line]);
    }
  }
  return snap;
}

const FELIX = '(?:cali-|califw-|calitw-|califh-|calith-|calipi-|calipo-|felix-)';
const CALICO_LINES = [
  new RegExp(`^:${FELIX}\\S* `),
  new RegExp(`^-A ${FELIX}\\S*( |$)`),
  new RegExp(` -[jg] ${FELIX}\\S*( |$)`),
  /--comment "?cali:[A-Za-z0-9_-]+"?( |$)/,
];

export const isCalicoLine = (line: string): boolean => CALICO_LINES.some((re) => re.test(line));

/** What each table must look like after a correct cleanup: the same lines minus Calico's. */
export function withoutCalico(snap: Snapshot): Snapshot {
  return new Map([...snap].map(([key, lines]) => [key, lines.filter((l) => !isCalicoLine(l))]));
}

/** Every Calico line left anywhere, prefixed with its table key. */
export function calicoLeft(snap: Snapshot): string[] {
  return [...snap].flatMap(([key, lines]) => lines.filter(isCalicoLine).map((l) => `${key}: ${l}`));
}

export const DECOYS = [
  /^:calico-dhcp-ingress - /,
  /^-A INPUT -i cali\+ -p udp -m udp --dport 67 -j calico-dhcp-ingress$/,
  /--comment "calico legacy note"/,
  /^-A FORWARD -i cali\+ -m comment --comment "allow calico pods out \(user rule\)" -j ACCEPT$/,
];

/** How many decoy lines the filter tables hold (each decoy once per loaded target). */
export function decoyCount(snap: Snapshot): number {
  return [...snap].flatMap(([, lines]) => lines).filter((l) => DECOYS.some((re) => re.test(l))).length;
}
