/** The iptables cleanup against the real Linux stack, in throwaway network namespaces (needs root). */
import { describe, it, expect, afterAll } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import {
  applyIptablesPlan,
  applyNftPlan,
  backendsInUse,
  planIptablesCleanup,
  type IptablesTarget,
} from '../../../agent/host/iptables/index.js';
import { createNetns, type Netns } from '../../support/netns.js';
import { generateFelixFixture, USER_IPSETS } from '../../support/felix-fixture.js';
import { calicoLeft, decoyCount, loadFixture, snapshot, targetKey, withoutCalico } from '../../support/iptables-snapshot.js';

const FIXTURE = generateFelixFixture({ calicoRules: 150, seed: 11 });
const LEGACY: IptablesTarget[] = [
  { backend: 'legacy', family: 'ipv4' },
  { backend: 'legacy', family: 'ipv6' },
];
const NFT: IptablesTarget[] = [
  { backend: 'nft', family: 'ipv4' },
  { backend: 'nft', family: 'ipv6' },
];
const namespaces: Netns[] = [];

async function namespaceWith(targets: IptablesTarget[]): Promise<Netns> {
  const ns = await createNetns('ipt');
  namespaces.push(ns);
  await loadFixture(ns.run, FIXTURE, targets);
  return ns;
}

afterAll(async () => {
  for (const ns of namespaces) await ns.destroy();
});

/** Plan, apply, and check: Calico gone, every other line byte-identical, a second plan empty. */
async function cleanAndVerify(ns: Netns, loaded: IptablesTarget[]): Promise<void> {
  const before = await snapshot(ns.run);
  expect(calicoLeft(before).length).toBeGreaterThan(loaded.length * 100);
  const plan = await planIptablesCleanup(ns.run, { procRoot: ns.procRoot });
  expect(new Set(plan.tables.map((t) => targetKey(t.target)))).toEqual(new Set(loaded.map(targetKey)));
  const result = await applyIptablesPlan(ns.run, plan);
  expect(result.tablesApplied).toBe(plan.tables.length);
  expect(result.rulesRemoved).toBe(loaded.reduce((n, t) => n + FIXTURE.calicoRules[t.family], 0));
  const after = await snapshot(ns.run);
  expect(calicoLeft(after)).toEqual([]);
  expect(after).toEqual(withoutCalico(before));
  expect(decoyCount(after)).toBe(decoyCount(before));
  expect(decoyCount(after)).toBeGreaterThanOrEqual(loaded.length * 3);
  const again = await planIptablesCleanup(ns.run, { procRoot: ns.procRoot });
  expect(again.tables).toEqual([]);
}

describe('iptables cleanup on the real stack', () => {
  it('when Calico is only in legacy (both families), then it is removed and nft is never touched', async () => {
    const ns = await namespaceWith(LEGACY);
    await cleanAndVerify(ns, LEGACY);
    expect((await ns.run(['iptables-nft-save'])).stdout).toBe('');
  });

  it('when Calico is only in nft (both families), then it is removed and no legacy table gets created', async () => {
    const ns = await namespaceWith(NFT);
    await cleanAndVerify(ns, NFT);
    expect(await readFile(`${ns.procRoot}/net/ip_tables_names`, 'utf8')).toBe('');
    expect(await readFile(`${ns.procRoot}/net/ip6_tables_names`, 'utf8')).toBe('');
  });

  it('when Calico is in both backends and both families, then all four are cleaned', async () => {
    const ns = await namespaceWith([...LEGACY, ...NFT]);
    expect(await backendsInUse(ns.run, { procRoot: ns.procRoot })).toEqual(['legacy', 'nft']);
    await cleanAndVerify(ns, [...LEGACY, ...NFT]);
  });

  it('when Calico is only in legacy IPv4, then backendsInUse reports legacy alone', async () => {
    const ns = await namespaceWith([LEGACY[0] as IptablesTarget]);
    expect(await backendsInUse(ns.run, { procRoot: ns.procRoot })).toEqual(['legacy']);
  });

  it('when non-Calico rules use an ipset, then the plan reports it as referenced by others (and no Calico set)', async () => {
    const ns = await namespaceWith([LEGACY[0] as IptablesTarget, NFT[1] as IptablesTarget]);
    const plan = await planIptablesCleanup(ns.run, { procRoot: ns.procRoot });
    expect(plan.ipsetsReferencedByOthers).toEqual([USER_IPSETS.ipv4, USER_IPSETS.ipv6]);
  });

  it('when kube-proxy adds rules between plan and apply, then they survive the cleanup', async () => {
    const ns = await namespaceWith([...LEGACY, NFT[0] as IptablesTarget]);
    const plan = await planIptablesCleanup(ns.run, { procRoot: ns.procRoot });
    const added = [
      ['iptables-legacy', '-w', '-t', 'nat', '-I', 'KUBE-SERVICES', '1', '-d', '10.96.0.99/32', '-p', 'tcp', '-m', 'tcp', '--dport', '443', '-j', 'KUBE-MARK-MASQ'],
      ['iptables-legacy', '-w', '-t', 'filter', '-I', 'FORWARD', '1', '-m', 'comment', '--comment', 'kubernetes forwarding rules', '-j', 'KUBE-FORWARD'],
      ['iptables-nft', '-t', 'filter', '-A', 'INPUT', '-m', 'comment', '--comment', 'kubernetes firewall', '-j', 'KUBE-NODEPORTS'],
    ];
    for (const argv of added) await ns.run(argv);
    const before = await snapshot(ns.run);
    await applyIptablesPlan(ns.run, plan);
    const after = await snapshot(ns.run);
    expect(calicoLeft(after)).toEqual([]);
    expect(after).toEqual(withoutCalico(before));
    expect(after.get('legacy/ipv4/nat')).toContain('-A KUBE-SERVICES -d 10.96.0.99/32 -p tcp -m tcp --dport 443 -j KUBE-MARK-MASQ');
    expect(after.get('nft/ipv4/filter')).toContain('-A INPUT -m comment --comment "kubernetes firewall" -j KUBE-NODEPORTS');
  });

  it('when a Calico rule vanishes between plan and apply, then that table is planned afresh and still cleaned', async () => {
    const ns = await namespaceWith([LEGACY[0] as IptablesTarget]);
    const plan = await planIptablesCleanup(ns.run, { procRoot: ns.procRoot });
    const filter = plan.tables.find((t) => t.table === 'filter');
    const hook = filter?.hookRules.find((r) => r.startsWith('-A FORWARD') && !r.includes(' -j cali-'));
    if (hook === undefined) throw new Error('fixture has no Felix FORWARD append');
    await ns.run(['iptables-legacy-restore', '--noflush', '--wait'], { input: `*filter\n${hook.replace(/^-A/, '-D')}\nCOMMIT\n` });
    const result = await applyIptablesPlan(ns.run, plan);
    expect(result.tablesReplanned).toBe(1);
    expect(result.tablesApplied).toBe(plan.tables.length);
    expect(calicoLeft(await snapshot(ns.run))).toEqual([]);
  });

  it('when Calico\'s nftables tables exist, then one batch removes them and other nft tables stay', async () => {
    const ns = await namespaceWith([NFT[0] as IptablesTarget]);
    const batch = ['add table ip calico', 'add table ip6 calico', 'add table arp calico-arp', 'add table inet calico',
      'add chain ip calico filter-FORWARD { type filter hook forward priority 0; }', 'add table inet user-fw'].join('\n');
    await ns.run(['nft', '-f', '-'], { input: `${batch}\n` });
    const plan = await planIptablesCleanup(ns.run, { procRoot: ns.procRoot });
    expect(plan.nftTables.sort()).toEqual(['arp calico-arp', 'inet calico', 'ip calico', 'ip6 calico']);
    expect(await applyNftPlan(ns.run, plan)).toEqual({ nftTablesRemoved: 4 });
    const tables = (await ns.run(['nft', 'list', 'tables'])).stdout;
    expect(tables).not.toMatch(/calico/);
    expect(tables).toContain('table inet user-fw');
    expect(tables).toContain('table ip filter');
    expect((await planIptablesCleanup(ns.run, { procRoot: ns.procRoot })).nftTables).toEqual([]);
  });
});
