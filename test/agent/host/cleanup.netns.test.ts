/**
 * The whole cleanup against the real Linux stack: a node's worth of Calico state and decoys in a
 * throwaway namespace (see node-fixture.ts), cleaned by the orchestrator; then again; a dry run; a
 * refusal while calico-node runs; a Calico ipset kept because a user rule still uses it.
 */
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createNetns, type Netns } from '../../support/netns.js';
import { cleanupNode } from '../../../agent/host/cleanup.js';
import { createCleanupDeps } from '../../../agent/host/node-host-factory.js';
import { PreconditionError } from '../../../shared/errors.js';
import { silentLogger } from '../../../shared/logger.js';
import { calicoIn, loadNode, makeHostRoot, observe, removeHostRoot, withoutCalico, WORKLOADS } from './node-fixture.js';

const namespaces: Netns[] = [];
const roots: string[] = [];

async function freshNode(): Promise<{ ns: Netns; hostRoot: string }> {
  const [ns, pods] = await Promise.all([createNetns('nodecl'), createNetns('nodepod')]);
  namespaces.push(ns, pods);
  await loadNode(ns, pods);
  const hostRoot = await makeHostRoot();
  roots.push(hostRoot);
  return { ns, hostRoot };
}

const depsFor = (ns: Netns, hostRoot: string, procRoot = ns.procRoot) =>
  createCleanupDeps(ns.run, { hostRoot, procRoot }, silentLogger());

afterAll(async () => {
  for (const ns of namespaces) await ns.destroy();
  for (const r of roots) await removeHostRoot(r);
});

describe('node cleanup on the real stack', () => {
  let ns: Netns;
  let hostRoot: string;
  beforeAll(async () => {
    ({ ns, hostRoot } = await freshNode());
  });

  it('when the fixture is loaded, then every kind of Calico state is really there', async () => {
    const state = await observe(ns.run, hostRoot);
    const kinds = new Set(calicoIn(state).map((l) => l.slice(0, l.indexOf(':'))));
    expect([...kinds].sort()).toEqual(['files', 'ipsets', 'iptables', 'links', 'nft', 'routes', 'rules']);
  });

  it('when dry-run, then nothing changes and the report shows the exact restore payloads', async () => {
    const before = await observe(ns.run, hostRoot);
    const report = await cleanupNode(depsFor(ns, hostRoot), { dryRun: true, force: false });
    expect(await observe(ns.run, hostRoot)).toEqual(before);
    expect(report.dryRun).toBe(true);
    expect(report.leftover).toBeGreaterThan(0);
    const text = report.notes.join('\n');
    expect(text).toMatch(/# iptables-legacy-restore --noflush --wait \(table filter\)\n\*filter\n/);
    expect(text).toMatch(/# ip6tables-legacy-restore --noflush/);
    expect(text).toMatch(/# iptables-nft-restore --noflush/);
    expect(text).toMatch(/-X cali-FORWARD/);
    expect(text).toMatch(/# nft -f -\n/);
    expect(text).toContain('would remove link vxlan.calico');
    expect(text).toContain('would remove ip -4 rule priority 99 not fwmark 0x100000/0x100000 table 1');
    expect(text).toContain("kept links (not Calico's)");
    expect(report.removed).toMatchObject({ links: 1 + WORKLOADS.length, files: 9, 'ip-rules': 1, 'nft-tables': 1 });
  });

  it('when calico-node still runs, then the cleanup refuses with a clear message and changes nothing', async () => {
    const fakeProc = await mkdtemp(path.join(tmpdir(), 'fake-proc-'));
    roots.push(fakeProc);
    for (const [pid, comm] of [['1', 'systemd'], ['4242', 'calico-node'], ['77', 'kubelet']] as const) {
      await mkdir(path.join(fakeProc, pid));
      await writeFile(path.join(fakeProc, pid, 'comm'), `${comm}\n`);
    }
    const before = await observe(ns.run, hostRoot);
    const attempt = cleanupNode(depsFor(ns, hostRoot, fakeProc), { dryRun: false, force: false });
    await expect(attempt).rejects.toBeInstanceOf(PreconditionError);
    await expect(attempt).rejects.toThrow(/calico-node is still running on this node \(pid 4242\).*--force/);
    expect(await observe(ns.run, hostRoot)).toEqual(before);
  });

  it('when applied, then no Calico state is left and every decoy is untouched', async () => {
    const before = await observe(ns.run, hostRoot);
    const report = await cleanupNode(depsFor(ns, hostRoot), { dryRun: false, force: false });
    const after = await observe(ns.run, hostRoot);
    expect(calicoIn(after)).toEqual([]);
    expect(after).toEqual(withoutCalico(before));
    expect(report.leftover).toBe(0);
    expect(report.removed).toMatchObject({
      ipsets: before.ipsets.filter((s) => /^(cali|felix-)/.test(s)).length,
      routes: 9,
      'ip-rules': 1,
      links: 1 + WORKLOADS.length,
      files: 9,
      'nft-tables': 1,
    });
    expect(report.removed['iptables-rules']).toBeGreaterThan(200);
    expect(after.files).toContain('etc/cni/net.d/05-cilium.conflist');
    expect(after.links).toEqual(expect.arrayContaining(['calico-dummy', 'cilium_host', 'eth-decoy']));
    expect(after.ipsets).toEqual(expect.arrayContaining(['my-own-set', 'user-allowlist', 'user-allowlist6']));
  });

  it('when run a second time, then it finds and removes nothing', async () => {
    const before = await observe(ns.run, hostRoot);
    const report = await cleanupNode(depsFor(ns, hostRoot), { dryRun: false, force: false });
    expect(report.leftover).toBe(0);
    expect(Object.entries(report.removed).filter(([, n]) => n !== 0)).toEqual([]);
    expect(await observe(ns.run, hostRoot)).toEqual(before);
  });
});

describe('node cleanup: a Calico ipset a user rule still uses', () => {
  it('when a non-Calico rule references a Calico set, then the set is kept, reported, and counted as leftover', async () => {
    const ns = await createNetns('nodeset');
    namespaces.push(ns);
    const hostRoot = await mkdtemp(path.join(tmpdir(), 'node-set-'));
    roots.push(hostRoot);
    await ns.run(['ipset', 'restore'], { input: 'create cali40shared hash:ip family inet\ncreate cali40alone hash:ip family inet\n' });
    await ns.run(['iptables-legacy', '-A', 'INPUT', '-m', 'set', '--match-set', 'cali40shared', 'src', '-j', 'ACCEPT']);
    const report = await cleanupNode(depsFor(ns, hostRoot), { dryRun: false, force: true });
    const sets = (await ns.run(['ipset', 'list', '-n'])).stdout.trim().split('\n');
    expect(sets).toEqual(['cali40shared']);
    expect(report.notes).toContain('kept ipset cali40shared: a non-Calico rule references it');
    expect(report.leftover).toBe(1);
    expect((await ns.run(['iptables-legacy-save', '-t', 'filter'])).stdout).toContain('-A INPUT -m set --match-set cali40shared src -j ACCEPT');
  });
});
