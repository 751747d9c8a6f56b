import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CommandRunner } from '../../../agent/host/exec.js';
import { backendsInUse, planIptablesCleanup } from '../../../agent/host/iptables/index.js';
import { planTarget } from '../../../agent/host/iptables/plan.js';

const CALICO_FILTER = `*filter
:INPUT ACCEPT [0:0]
:cali-INPUT - [0:0]
:KUBE-FIREWALL - [0:0]
-A INPUT -m comment --comment "cali:Cz_u1IQiXIMmKD4c" -j cali-INPUT
-A INPUT -m set --match-set user-allowlist src -j ACCEPT
-A INPUT -j KUBE-FIREWALL
-A cali-INPUT -m set --match-set cali40s:abc src -j ACCEPT
-A cali-INPUT -j DROP
COMMIT
`;
const KUBE_ONLY = '*nat\n:KUBE-SERVICES - [0:0]\n-A KUBE-SERVICES -j RETURN\nCOMMIT\n';
const BARE = '*filter\n:INPUT ACCEPT [0:0]\nCOMMIT\n';

/** A runner answering `*-save` from a table of outputs and recording every argv. */
function fakeRunner(outputs: Record<string, string>): { run: CommandRunner; calls: string[] } {
  const calls: string[] = [];
  const run: CommandRunner = async (argv) => {
    const key = argv[0] === 'nft' ? argv.join(' ') : (argv[0] ?? '');
    calls.push(argv.join(' '));
    const stdout = outputs[key];
    if (argv[0] === 'nft' && stdout === undefined) return { exitCode: 1, stdout: '', stderr: 'Error: No such file or directory' };
    return { exitCode: 0, stdout: stdout ?? '', stderr: '' };
  };
  return { run, calls };
}

let procWithLegacy: string;
let procWithout: string;

beforeAll(async () => {
  const root = await mkdtemp(join(tmpdir(), 'ipt-plan-'));
  procWithLegacy = join(root, 'with');
  procWithout = join(root, 'without');
  await mkdir(join(procWithLegacy, 'net'), { recursive: true });
  await mkdir(join(procWithout, 'net'), { recursive: true });
  await writeFile(join(procWithLegacy, 'net', 'ip_tables_names'), 'filter\nnat\n');
  await writeFile(join(procWithLegacy, 'net', 'ip6_tables_names'), '');
});

afterAll(async () => {
  await rm(join(procWithLegacy, '..'), { recursive: true, force: true });
});

describe('planTarget', () => {
  it('when a dump holds one Calico table and one kube-proxy table, then only the Calico table is planned', () => {
    const plan = planTarget({ backend: 'legacy', family: 'ipv4' }, CALICO_FILTER + KUBE_ONLY);
    expect(plan.tables).toHaveLength(1);
    expect(plan.tables[0]).toMatchObject({
      table: 'filter',
      hookRules: ['-A INPUT -m comment --comment "cali:Cz_u1IQiXIMmKD4c" -j cali-INPUT'],
      chains: ['cali-INPUT'],
      rulesInChains: 2,
    });
    expect(plan.setsUsedBySurvivors).toEqual(['user-allowlist']);
  });
});

describe('planIptablesCleanup', () => {
  it('when procfs lists no legacy tables, then no legacy command runs at all', async () => {
    const { run, calls } = fakeRunner({ 'iptables-nft-save': CALICO_FILTER, 'nft list table ip calico': 'table ip calico {\n}\n' });
    const plan = await planIptablesCleanup(run, { procRoot: procWithout });
    expect(calls.filter((c) => c.includes('legacy'))).toEqual([]);
    expect(plan.targetsPresent).toEqual([{ backend: 'nft', family: 'ipv4' }]);
    expect(plan.tables.map((t) => `${t.target.backend}/${t.target.family}/${t.table}`)).toEqual(['nft/ipv4/filter']);
    expect(plan.nftTables).toEqual(['ip calico']);
    expect(plan.ipsetsReferencedByOthers).toEqual(['user-allowlist']);
  });

  it('when legacy IPv4 tables exist but IPv6 ones do not, then only iptables-legacy-save is read', async () => {
    const { run, calls } = fakeRunner({ 'iptables-legacy-save': CALICO_FILTER, 'ip6tables-nft-save': KUBE_ONLY });
    const plan = await planIptablesCleanup(run, { procRoot: procWithLegacy });
    expect(calls.filter((c) => c.includes('legacy'))).toEqual(['iptables-legacy-save']);
    expect(plan.targetsPresent.map((t) => `${t.backend}/${t.family}`)).toEqual(['legacy/ipv4', 'nft/ipv6']);
    expect(plan.tables.map((t) => t.target.backend)).toEqual(['legacy']);
    expect(plan.procRoot).toBe(procWithLegacy);
  });

  it('when nothing of Calico\'s is anywhere, then the plan is empty', async () => {
    const { run } = fakeRunner({ 'iptables-legacy-save': KUBE_ONLY });
    const plan = await planIptablesCleanup(run, { procRoot: procWithLegacy });
    expect(plan.tables).toEqual([]);
    expect(plan.nftTables).toEqual([]);
  });
});

describe('backendsInUse', () => {
  it.each([
    ['legacy rules only', { 'iptables-legacy-save': KUBE_ONLY }, ['legacy']],
    ['nft IPv6 rules only', { 'ip6tables-nft-save': CALICO_FILTER }, ['nft']],
    ['rules in both', { 'iptables-legacy-save': KUBE_ONLY, 'iptables-nft-save': KUBE_ONLY }, ['legacy', 'nft']],
    ['bare tables without any rule', { 'iptables-legacy-save': BARE, 'iptables-nft-save': BARE }, []],
  ])('when the node has %s, then the backends in use are %j', async (_name, outputs, expected) => {
    const { run } = fakeRunner(outputs);
    expect(await backendsInUse(run, { procRoot: procWithLegacy })).toEqual(expected);
  });
});
