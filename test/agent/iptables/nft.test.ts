import { describe, it, expect } from '@jest/globals';
import { applyNftTables, buildNftPayload, calicoNftTables } from '../../../agent/host/iptables/nft.js';
import type { CommandRunner, RunOptions } from '../../../agent/host/exec.js';

describe('calicoNftTables', () => {
  it.each([
    ['table ip calico\ntable ip6 calico\ntable arp calico-arp\n', ['ip calico', 'ip6 calico', 'arp calico-arp']],
    ['table inet calico\ntable ip filter\ntable inet cilium\n', ['inet calico']],
    ['table ip calico-dhcp\ntable ip calicoX\ntable ip nat\n', []],
    ['', []],
  ])('when nft lists %j, then Calico\'s tables are %j', (listing, expected) => {
    expect(calicoNftTables(listing)).toEqual(expected);
  });
});

describe('buildNftPayload', () => {
  it('when two tables go, then each is added then deleted in one batch', () => {
    expect(buildNftPayload(['ip calico', 'arp calico-arp'])).toBe(
      'add table ip calico\ndelete table ip calico\nadd table arp calico-arp\ndelete table arp calico-arp\n',
    );
  });
});

describe('applyNftTables', () => {
  it('when there is nothing to remove, then nft is not run', async () => {
    const calls: string[][] = [];
    const run: CommandRunner = async (argv) => {
      calls.push([...argv]);
      return { exitCode: 0, stdout: '', stderr: '' };
    };
    expect(await applyNftTables(run, [], 1000)).toBe(0);
    expect(calls).toEqual([]);
  });

  it('when tables are given, then one nft -f - batch carries them', async () => {
    const calls: { argv: string[]; opts: RunOptions | undefined }[] = [];
    const run: CommandRunner = async (argv, opts) => {
      calls.push({ argv: [...argv], opts });
      return { exitCode: 0, stdout: '', stderr: '' };
    };
    expect(await applyNftTables(run, ['ip calico'], 1000)).toBe(1);
    expect(calls).toEqual([
      { argv: ['nft', '-f', '-'], opts: { input: 'add table ip calico\ndelete table ip calico\n', timeoutMs: 1000 } },
    ]);
  });
});
