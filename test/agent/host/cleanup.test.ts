/** The cleanup runbook with a fake host: order of steps, what a dry run does, reports and exit codes. */
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { CommandRunner, RunOptions } from '../../../agent/host/exec.js';
import type { FirewallCleanup } from '../../../agent/host/firewall-step.js';
import { cleanupNode, type CleanupDeps } from '../../../agent/host/cleanup.js';
import { formatCleanup, formatInventory, runCleanupCommand, runInventoryCommand } from '../../../agent/host/node-commands.js';
import { ConfigError } from '../../../shared/errors.js';
import { silentLogger } from '../../../shared/logger.js';

/** A node as `ip`/`ipset` print it; removals recorded, and state shrinks as a real host would. */
function fakeHost() {
  const state = {
    routes4: [{ type: 'blackhole', dst: '10.244.1.0/26', table: '254', protocol: '12' }] as object[],
    links: [
      { ifname: 'lo', flags: ['UP'], addr_info: [{ local: '127.0.0.1' }] },
      { ifname: 'tunl0', flags: ['NOARP', 'UP'], addr_info: [{ local: '10.244.9.1' }] },
      { ifname: 'vxlan.calico', flags: ['UP'], addr_info: [] },
    ] as { ifname: string; flags: string[]; addr_info: object[] }[],
    ipsets: ['cali40all-ipam-pools', 'KUBE-X'],
    firewallItems: 3,
  };
  const steps: string[] = [];
  const run: CommandRunner = async (argv: readonly string[], opts?: RunOptions) => {
    const cmd = argv.join(' ');
    const ok = (stdout = '') => ({ exitCode: 0, stdout, stderr: '' });
    const reads: Record<string, () => string> = {
      'ip -4 -N -j -d route show table all': () => JSON.stringify(state.routes4),
      'ip -6 -N -j -d route show table all': () => '[]',
      'ip -4 -j rule show': () => '[]',
      'ip -6 -j rule show': () => '[]',
      'ip -j -d address show': () => JSON.stringify(state.links),
      'ipset list -n': () => state.ipsets.join('\n'),
    };
    const read = reads[cmd];
    if (read) return ok(read());
    steps.push(`${cmd} <<< ${opts?.input ?? ''}`);
    if (cmd === 'ipset restore') state.ipsets = ['KUBE-X'];
    if (cmd === 'ip -4 -force -batch -') state.routes4 = [];
    if (cmd === 'ip -force -batch -') {
      state.links = state.links.filter((l) => l.ifname !== 'vxlan.calico').map((l) => (l.ifname === 'tunl0' ? { ...l, flags: ['NOARP'], addr_info: [] } : l));
    }
    return ok();
  };
  const firewall: FirewallCleanup = {
    plan: async () => ({
      counts: { 'iptables-rules': state.firewallItems },
      ipsetsReferencedByOthers: [],
      payloads: state.firewallItems > 0 ? ['*filter\n-X cali-INPUT\nCOMMIT\n'] : [],
      notes: [],
      apply: async () => {
        steps.push('firewall');
        const n = state.firewallItems;
        state.firewallItems = 0;
        return { 'iptables-rules': n };
      },
    }),
  };
  return { run, firewall, steps };
}

let hostRoot = '';
let procRoot = '';
beforeAll(async () => {
  hostRoot = await mkdtemp(path.join(tmpdir(), 'cleanup-unit-'));
  procRoot = await mkdtemp(path.join(tmpdir(), 'cleanup-proc-'));
  await mkdir(path.join(procRoot, '1'));
  await writeFile(path.join(procRoot, '1', 'comm'), 'systemd\n');
});
afterAll(async () => {
  await rm(hostRoot, { recursive: true, force: true });
  await rm(procRoot, { recursive: true, force: true });
});

async function withCalicoConf(): Promise<void> {
  await mkdir(path.join(hostRoot, 'etc/cni/net.d'), { recursive: true });
  await writeFile(path.join(hostRoot, 'etc/cni/net.d/10-calico.conflist'), '{}');
}

function deps(): CleanupDeps & { steps: string[] } {
  const { run, firewall, steps } = fakeHost();
  let t = 0;
  return { run, firewall, hostRoot, procRoot, log: silentLogger(), now: () => (t += 5), steps };
}

describe('the cleanup runbook', () => {
  it('when applied, then it goes firewall, ipsets, routes, links (tunl0 only flushed and downed), files, and reports counts', async () => {
    await withCalicoConf();
    const d = deps();
    const report = await cleanupNode(d, { dryRun: false, force: false });
    expect(d.steps).toEqual([
      'firewall',
      'ipset restore <<< destroy cali40all-ipam-pools\n',
      'ip -4 -force -batch - <<< route del blackhole 10.244.1.0/26 table 254 proto 12\n',
      'ip -force -batch - <<< link del dev vxlan.calico\naddress flush dev tunl0\nlink set dev tunl0 down\n',
    ]);
    expect(report).toMatchObject({
      dryRun: false,
      removed: { 'iptables-rules': 3, ipsets: 1, routes: 1, 'ip-rules': 0, links: 2, files: 1 },
      leftover: 0,
      durationMs: 5,
    });
    expect(report.notes).toContain(`removed file ${hostRoot}/etc/cni/net.d/10-calico.conflist`);
  });

  it('when dry-run, then nothing is run or removed and the payloads are in the notes', async () => {
    await withCalicoConf();
    const d = deps();
    const report = await cleanupNode(d, { dryRun: true, force: false });
    expect(d.steps).toEqual([]);
    expect(report.leftover).toBe(3 + 1 + 1 + 2 + 1);
    expect(report.notes).toContain('would remove firewall transaction:\n*filter\n-X cali-INPUT\nCOMMIT\n');
    expect(report.notes).toContain('would remove link tunl0: addresses flushed, set down (not deletable)');
  });

  it('when calico-node runs but the cleanup is forced, then it cleans and says so', async () => {
    await mkdir(path.join(procRoot, '99'), { recursive: true });
    await writeFile(path.join(procRoot, '99', 'comm'), 'calico-node\n');
    try {
      const report = await cleanupNode(deps(), { dryRun: false, force: true });
      expect(report.notes[0]).toBe('calico-node is still running on this node (pid 99); cleaning anyway (forced)');
      expect(report.leftover).toBe(0);
    } finally {
      await rm(path.join(procRoot, '99'), { recursive: true });
    }
  });
});

describe('the inventory and cleanup commands', () => {
  it('when something is found, then inventory exits 1 and prints it; after a cleanup, it exits 0', async () => {
    await withCalicoConf();
    const d = deps();
    let out = '';
    expect(await runInventoryCommand(d, 'text', (s) => (out += s))).toBe(1);
    expect(out).toMatch(/^Calico state found: iptables-rules=3 ipsets=1 routes=1 ip-rules=0 links=2 files=1\n/);
    out = '';
    expect(await runCleanupCommand(d, { dryRun: false, force: false, format: 'json' }, (s) => (out += s))).toBe(0);
    expect(JSON.parse(out)).toMatchObject({ dryRun: false, leftover: 0 });
    out = '';
    expect(await runInventoryCommand(d, 'json', (s) => (out += s))).toBe(0);
    expect(JSON.parse(out)).toMatchObject({ leftover: 0, items: [] });
  });

  it('when a dry run finds something, then it exits 1 (0 only when nothing would go)', async () => {
    await withCalicoConf();
    expect(await runCleanupCommand(deps(), { dryRun: true, force: false, format: 'text' }, () => undefined)).toBe(1);
  });

  it('when the host root is not a directory, then it is a usage error and nothing runs', async () => {
    const d = { ...deps(), hostRoot: path.join(hostRoot, 'missing') };
    await expect(runCleanupCommand(d, { dryRun: false, force: false, format: 'text' }, () => undefined)).rejects.toBeInstanceOf(ConfigError);
    expect(d.steps).toEqual([]);
  });

  it('when formatting, then text leads with the counts and JSON is the report itself', () => {
    const report = { dryRun: true, removed: { routes: 2 }, leftover: 2, leftByKind: { routes: 2 }, durationMs: 12.4, notes: ['would remove x'] };
    expect(formatCleanup(report, 'text')).toBe('would remove: routes=2; leftover=2; 12 ms\n  would remove x\n');
    expect(JSON.parse(formatCleanup(report, 'json'))).toEqual(report);
    expect(formatInventory({ found: { routes: 0 }, leftover: 0, items: [], kept: [] }, 'text')).toBe('no Calico state found\n');
  });
});
