/**
 * A generator of realistic Felix (Calico) iptables state, mixed with kube-proxy, Cilium, Docker and user
 * rules and the usual decoys, at a chosen size. Deterministic for a given seed.
 *
 *   const fx = generateFelixFixture({ calicoRules: 1000, seed: 7 });
 *   ipset restore        < fx.ipsetRestore      // create every referenced ipset first
 *   iptables-restore     < fx.ipv4              // then load the tables (one text per family)
 *   ip6tables-restore    < fx.ipv6
 *
 * `fx.workloads` lists the host-side interfaces (`cali<11 hex>`) and addresses the rules name, for
 * tests that also build Calico's links and routes.
 */
import {
  FamilyBuilder,
  HEX,
  URL_SAFE,
  icmp,
  seededRandom,
  setPrefix,
  type FixtureFamily,
} from './iptables-fixture-builder.js';
import { addOthers, USER_IPSETS } from './non-calico-fixture.js';

export type { FixtureFamily } from './iptables-fixture-builder.js';
export { USER_IPSETS } from './non-calico-fixture.js';

export interface FixtureIpset {
  name: string;
  family: 'inet' | 'inet6';
  owner: 'calico' | 'user';
}

export interface FixtureWorkload {
  iface: string;
  ipv4: string;
  ipv6: string;
}

export interface FelixFixture {
  /** iptables-restore input (raw, mangle, nat, filter) per family. */
  ipv4: string;
  ipv6: string;
  /** Calico's rules per family (rules in Felix chains plus Felix's rules in other chains). */
  calicoRules: Record<FixtureFamily, number>;
  /** Every ipset the rules reference: Calico's and the user's (kept: a non-Calico rule uses it). */
  ipsets: FixtureIpset[];
  /** `ipset restore` input creating every set in `ipsets`. */
  ipsetRestore: string;
  workloads: FixtureWorkload[];
}

export interface FelixFixtureOptions {
  /** Roughly how many Calico rules per family (the generator stops at the first workload past it). */
  calicoRules: number;
  seed?: number;
}

/** Felix's static chains and its hooks into the built-in chains. */
function addFelixStatic(b: FamilyBuilder): void {
  for (const [table, chain] of [
    ['raw', 'PREROUTING'], ['raw', 'OUTPUT'], ['mangle', 'PREROUTING'], ['mangle', 'POSTROUTING'],
    ['nat', 'PREROUTING'], ['nat', 'OUTPUT'], ['filter', 'INPUT'], ['filter', 'FORWARD'], ['filter', 'OUTPUT'],
  ] as const) {
    b.hook(table, chain, `${b.cali()} -j cali-${chain}`);
  }
  b.felix('raw', 'cali-PREROUTING', '-j MARK --set-xmark 0x0/0xf0000');
  b.felix('raw', 'cali-PREROUTING', '-i cali+ -j MARK --set-xmark 0x40000/0x40000');
  b.felix('raw', 'cali-PREROUTING', '-m mark --mark 0x40000/0x40000 -j cali-rpf-skip');
  b.felix('raw', 'cali-PREROUTING', '-j cali-untracked-flows');
  b.felix('raw', 'cali-OUTPUT', '-j MARK --set-xmark 0x0/0xf0000');
  b.felix('raw', 'cali-OUTPUT', '-j cali-untracked-flows');
  b.chain('raw', 'cali-rpf-skip');
  b.chain('raw', 'cali-untracked-flows');
  b.felix('mangle', 'cali-PREROUTING', '-m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT');
  b.felix('mangle', 'cali-PREROUTING', '-m mark --mark 0x10000/0x10000 -j ACCEPT');
  b.felix('mangle', 'cali-POSTROUTING', '-m mark --mark 0x20000/0x20000 -j RETURN');
  b.felix('nat', 'cali-PREROUTING', '-j cali-fip-dnat');
  b.felix('nat', 'cali-OUTPUT', '-j cali-fip-dnat');
  b.felix('nat', 'cali-POSTROUTING', '-j cali-fip-snat');
  b.felix('nat', 'cali-POSTROUTING', '-j cali-nat-outgoing');
  const sp = setPrefix(b);
  b.felix('nat', 'cali-nat-outgoing', `-m set --match-set ${sp}masq-ipam-pools src -m set ! --match-set ${sp}all-ipam-pools dst -j MASQUERADE`);
  b.chain('nat', 'cali-fip-dnat');
  b.chain('nat', 'cali-fip-snat');
  b.felix('filter', 'cali-INPUT', '-p udp -m udp --dport 4789 -m set --match-set ' + `${sp}all-vxlan-net src -m addrtype --dst-type LOCAL -j ACCEPT`);
  b.felix('filter', 'cali-INPUT', '-i cali+ -g cali-wl-to-host');
  b.felix('filter', 'cali-INPUT', '-m mark --mark 0x10000/0x10000 -j ACCEPT');
  b.felix('filter', 'cali-INPUT', '-j MARK --set-xmark 0x0/0xf0000');
  b.felix('filter', 'cali-INPUT', '-j cali-from-host-endpoint');
  b.felix('filter', 'cali-FORWARD', '-i cali+ -j cali-from-wl-dispatch');
  b.felix('filter', 'cali-FORWARD', '-o cali+ -j cali-to-wl-dispatch');
  b.felix('filter', 'cali-FORWARD', '-j cali-to-hep-forward');
  b.felix('filter', 'cali-FORWARD', '-j cali-cidr-block');
  b.felix('filter', 'cali-OUTPUT', '-m mark --mark 0x10000/0x10000 -j ACCEPT');
  b.felix('filter', 'cali-OUTPUT', '-o cali+ -j RETURN');
  b.felix('filter', 'cali-OUTPUT', '-j cali-to-host-endpoint');
  b.felix('filter', 'cali-wl-to-host', '-j cali-from-wl-dispatch');
  b.felix('filter', 'cali-wl-to-host', '-j ACCEPT');
  b.felix('filter', 'cali-failsafe-in', '-p tcp -m tcp --dport 22 -j ACCEPT');
  b.felix('filter', 'cali-failsafe-out', '-p tcp -m tcp --dport 179 -j ACCEPT');
  b.felix('filter', 'cali-from-host-endpoint', '-j cali-failsafe-in');
  b.felix('filter', 'cali-to-host-endpoint', '-j cali-failsafe-out');
  for (const c of ['cali-to-hep-forward', 'cali-cidr-block', 'cali-from-wl-dispatch', 'cali-to-wl-dispatch']) {
    b.chain('filter', c);
  }
  // Felix appends two rules to filter FORWARD (no jump into its chains) and its nat POSTROUTING hook.
  b.add('filter', 'FORWARD', `${b.cali()} -m comment --comment "Policy explicitly accepted packet." -m mark --mark 0x10000/0x10000 -j ACCEPT`, true);
  b.add('filter', 'FORWARD', `${b.cali()} -j MARK --set-xmark 0x10000/0x10000`, true);
  b.add('nat', 'POSTROUTING', `${b.cali()} -j cali-POSTROUTING`, true);
}

interface PolicyPool {
  policies: string[];
  profiles: string[];
  sets: string[];
}

/** One policy: `cali-pi-_<hash>` / `cali-po-_<hash>` (28 chars) matching a Calico ipset. */
function addPolicy(b: FamilyBuilder, pool: PolicyPool): void {
  const hash = b.pick(URL_SAFE, 19);
  const set = `${setPrefix(b)}s:${b.pick(URL_SAFE, 22)}`;
  pool.sets.push(set);
  pool.policies.push(hash);
  for (const dir of ['pi', 'po']) {
    const chain = `cali-${dir}-_${hash}`;
    const where = dir === 'pi' ? 'src' : 'dst';
    b.felix('filter', chain, `-p tcp -m set --match-set ${set} ${where} -m multiport --dports 80,443 -j MARK --set-xmark 0x10000/0x10000`);
    b.felix('filter', chain, `-p ${icmp(b)} -m set --match-set ${set} ${where} -j MARK --set-xmark 0x10000/0x10000`);
    b.felix('filter', chain, '-m mark --mark 0x10000/0x10000 -j RETURN');
  }
}

/** One workload endpoint: `cali-tw-`/`cali-fw-` chains and its dispatch rules (through sub-dispatch chains). */
function addWorkload(b: FamilyBuilder, pool: PolicyPool, iface: string): void {
  const policy = pool.policies[Math.floor(b.random() * pool.policies.length)] ?? '';
  const profile = pool.profiles[Math.floor(b.random() * pool.profiles.length)] ?? 'kns.default';
  for (const [dir, inOut, pol, pro] of [['tw', '-o', 'pi', 'pri'], ['fw', '-i', 'po', 'pro']] as const) {
    const chain = `cali-${dir}-${iface}`;
    b.felix('filter', chain, '-m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT');
    b.felix('filter', chain, '-m conntrack --ctstate INVALID -j DROP');
    b.felix('filter', chain, '-j MARK --set-xmark 0x0/0x30000');
    b.felix('filter', chain, `-m comment --comment "Start of policies" -j cali-${pol}-_${policy}`);
    b.felix('filter', chain, '-m mark --mark 0x10000/0x10000 -j RETURN');
    b.felix('filter', chain, `-j cali-${pro}-${profile}`);
    b.felix('filter', chain, '-m mark --mark 0x10000/0x10000 -j RETURN');
    b.felix('filter', chain, '-m comment --comment "Drop if no profiles matched" -j DROP');
    const root = dir === 'tw' ? 'cali-to-wl-dispatch' : 'cali-from-wl-dispatch';
    const sub = `${root}-${iface.charAt(4)}`;
    if (!b.tables.get('filter')?.rules.has(sub)) b.felix('filter', root, `${inOut} ${iface.slice(0, 5)}+ -g ${sub}`);
    b.felix('filter', sub, `${inOut} ${iface} -g ${chain}`);
  }
}

function addProfiles(b: FamilyBuilder, pool: PolicyPool): void {
  for (const profile of ['kns.default', 'kns.kube-system', `_${b.pick(URL_SAFE, 18)}`]) {
    pool.profiles.push(profile);
    b.felix('filter', `cali-pri-${profile}`, '-j MARK --set-xmark 0x10000/0x10000');
    b.felix('filter', `cali-pri-${profile}`, '-m mark --mark 0x10000/0x10000 -j RETURN');
    b.felix('filter', `cali-pro-${profile}`, '-j MARK --set-xmark 0x10000/0x10000');
    b.felix('filter', `cali-pro-${profile}`, '-m mark --mark 0x10000/0x10000 -j RETURN');
  }
}

function workloadList(random: () => number, count: number): FixtureWorkload[] {
  const seen = new Set<string>();
  const out: FixtureWorkload[] = [];
  while (out.length < count) {
    let hex = '';
    for (let i = 0; i < 11; i++) hex += HEX.charAt(Math.floor(random() * 16));
    if (seen.has(hex)) continue;
    seen.add(hex);
    const n = out.length + 2;
    out.push({ iface: `cali${hex}`, ipv4: `10.244.${n >> 8}.${n & 255}`, ipv6: `fd00:10:244::${n.toString(16)}` });
  }
  return out;
}

/** Rules per workload (tw + fw: 8 each, plus 2 dispatch) and per 4 workloads one policy (6 rules). */
const RULES_PER_WORKLOAD = 18 + 6 / 4;

function buildFamily(family: FixtureFamily, seed: number, target: number, workloads: FixtureWorkload[]): { b: FamilyBuilder; sets: string[] } {
  const b = new FamilyBuilder(family, seededRandom(seed));
  const pool: PolicyPool = { policies: [], profiles: [], sets: [] };
  addFelixStatic(b);
  addProfiles(b, pool);
  addPolicy(b, pool);
  for (const [i, w] of workloads.entries()) {
    if (b.calicoRules >= target) break;
    if (i % 4 === 3) addPolicy(b, pool);
    addWorkload(b, pool, w.iface);
  }
  addOthers(b);
  const sp = setPrefix(b);
  return { b, sets: [`${sp}masq-ipam-pools`, `${sp}all-ipam-pools`, `${sp}all-vxlan-net`, ...pool.sets] };
}

export function generateFelixFixture(opts: FelixFixtureOptions): FelixFixture {
  const seed = opts.seed ?? 1;
  const workloads = workloadList(seededRandom(seed), Math.max(1, Math.ceil(opts.calicoRules / RULES_PER_WORKLOAD)));
  const v4 = buildFamily('ipv4', seed, opts.calicoRules, workloads);
  const v6fam = buildFamily('ipv6', seed + 1, opts.calicoRules, workloads);
  const ipsets: FixtureIpset[] = [
    ...v4.sets.map((name): FixtureIpset => ({ name, family: 'inet', owner: 'calico' })),
    ...v6fam.sets.map((name): FixtureIpset => ({ name, family: 'inet6', owner: 'calico' })),
    { name: USER_IPSETS.ipv4, family: 'inet', owner: 'user' },
    { name: USER_IPSETS.ipv6, family: 'inet6', owner: 'user' },
  ];
  return {
    ipv4: v4.b.render(),
    ipv6: v6fam.b.render(),
    calicoRules: { ipv4: v4.b.calicoRules, ipv6: v6fam.b.calicoRules },
    ipsets,
    ipsetRestore: ipsets.map((s) => `create ${s.name} hash:net family ${s.family}\n`).join(''),
    workloads,
  };
}
