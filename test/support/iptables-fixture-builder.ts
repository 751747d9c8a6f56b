/**
 * The table builder behind the Felix fixture: a seeded PRNG and one family's raw/mangle/nat/filter tables,
 * rendered as `iptables-restore` input.
 */
export type FixtureFamily = 'ipv4' | 'ipv6';

export { seededRandom } from '../../sim/seeded-random.js';

export const URL_SAFE = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
export const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
export const HEX = '0123456789abcdef';
const BUILTINS: Record<string, string[]> = {
  raw: ['PREROUTING', 'OUTPUT'],
  mangle: ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'],
  nat: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'],
  filter: ['INPUT', 'FORWARD', 'OUTPUT'],
};
const TABLES = ['raw', 'mangle', 'nat', 'filter'] as const;
export type TableName = (typeof TABLES)[number];

interface TableText {
  chains: string[];
  /** Rules per chain, in order. */
  rules: Map<string, string[]>;
}

/** Builds one family's tables; `hook` puts a rule at the top of a chain, as Felix inserts its hooks. */
export class FamilyBuilder {
  readonly tables = new Map<TableName, TableText>();
  calicoRules = 0;
  constructor(
    readonly family: FixtureFamily,
    readonly random: () => number,
  ) {
    for (const t of TABLES) this.tables.set(t, { chains: [], rules: new Map() });
  }
  pick(alphabet: string, length: number): string {
    let out = '';
    for (let i = 0; i < length; i++) out += alphabet.charAt(Math.floor(this.random() * alphabet.length));
    return out;
  }
  cali(): string {
    return `-m comment --comment "cali:${this.pick(URL_SAFE, 16)}"`;
  }
  chain(table: TableName, name: string): void {
    const t = this.tables.get(table);
    if (t && !t.rules.has(name)) {
      t.chains.push(name);
      t.rules.set(name, []);
    }
  }
  add(table: TableName, chain: string, spec: string, calico: boolean): void {
    this.chain(table, chain);
    this.tables.get(table)?.rules.get(chain)?.push(spec);
    if (calico) this.calicoRules++;
  }
  /** Felix's hook: inserted at the top of a built-in chain. */
  hook(table: TableName, chain: string, spec: string): void {
    this.chain(table, chain);
    this.tables.get(table)?.rules.get(chain)?.unshift(spec);
    this.calicoRules++;
  }
  /** A Felix rule (with its `cali:` comment) in a Felix chain. */
  felix(table: TableName, chain: string, spec: string): void {
    this.add(table, chain, `${this.cali()} ${spec}`, true);
  }
  render(): string {
    const out: string[] = [];
    for (const name of TABLES) {
      const t = this.tables.get(name);
      if (!t) continue;
      out.push(`*${name}`);
      for (const c of BUILTINS[name] ?? []) out.push(`:${c} ACCEPT [0:0]`);
      for (const c of t.chains) if (!BUILTINS[name]?.includes(c)) out.push(`:${c} - [0:0]`);
      for (const [chain, rules] of t.rules) for (const r of rules) out.push(`-A ${chain} ${r}`);
      out.push('COMMIT');
    }
    return `${out.join('\n')}\n`;
  }
}

export const v6 = (b: FamilyBuilder): boolean => b.family === 'ipv6';
export const icmp = (b: FamilyBuilder): string => (v6(b) ? 'ipv6-icmp' : 'icmp');
export const setPrefix = (b: FamilyBuilder): string => (v6(b) ? 'cali60' : 'cali40');
