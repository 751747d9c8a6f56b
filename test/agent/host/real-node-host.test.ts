import { describe, it, expect, beforeEach, afterEach } from '@jest/globals';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { RealNodeHost } from '../../../agent/host/real-node-host.js';
import type { CommandRunner } from '../../../agent/host/exec.js';
import type { FirewallCleanup } from '../../../agent/host/firewall-step.js';
import { silentLogger } from '../../../shared/logger.js';

/** A host whose ip/ipset show nothing; the firewall holds `rules` Calico rules. */
function quietHost(root: string, rules: number): RealNodeHost {
  const run: CommandRunner = async (argv) => ({ exitCode: 0, stderr: '', stdout: argv[0] === 'ipset' ? '' : '[]' });
  const firewall: FirewallCleanup = {
    plan: async () => ({ counts: { 'iptables-rules': rules }, ipsetsReferencedByOthers: [], payloads: [], notes: [], apply: async () => ({}) }),
  };
  return new RealNodeHost({
    run,
    hostRoot: root,
    procRoot: root,
    bootIdPath: path.join(root, 'boot_id'),
    rebootMethod: 'systemctl',
    firewall,
    iptablesBackends: async () => ['nft'],
    log: silentLogger(),
  });
}

let root = '';
beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'real-host-'));
  await mkdir(path.join(root, 'etc/cni/net.d'), { recursive: true });
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('the real node host', () => {
  it('when nothing of Calico is found, then there are no leftovers', async () => {
    expect(await quietHost(root, 0).calicoLeftovers()).toBe(false);
  });

  it('when the firewall still holds Calico rules, then there are leftovers', async () => {
    expect(await quietHost(root, 2).calicoLeftovers()).toBe(true);
  });

  it("when only Calico's CNI config is left, then there are leftovers", async () => {
    await writeFile(path.join(root, 'etc/cni/net.d/10-calico.conflist'), '{}');
    expect(await quietHost(root, 0).calicoLeftovers()).toBe(true);
  });

  it('when asked to restore CNI files, then it works under its host root', async () => {
    await writeFile(path.join(root, 'etc/cni/net.d/05-cilium.conflist'), '{}');
    await writeFile(path.join(root, 'etc/cni/net.d/10-calico.conflist.cilium_bak'), '{}');
    expect(await quietHost(root, 0).restoreCniFiles()).toEqual({ removedCiliumConf: true, restored: ['10-calico.conflist'] });
    expect(await readdir(path.join(root, 'etc/cni/net.d'))).toEqual(['10-calico.conflist']);
  });

  it('when asked for iptables backends, then it answers from the injected probe', async () => {
    expect(await quietHost(root, 0).iptablesBackends()).toEqual(['nft']);
  });
});
