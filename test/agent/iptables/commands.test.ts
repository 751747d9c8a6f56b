import { describe, it, expect } from '@jest/globals';
import {
  ALL_IPTABLES_TARGETS,
  iptablesCommandArgv,
  iptablesRestoreArgv,
  iptablesSaveArgv,
  legacyTableNamesPath,
  type IptablesTarget,
} from '../../../agent/host/commands/iptables.js';
import { nftBatchArgv, nftListTableArgv } from '../../../agent/host/commands/nft.js';

describe('iptables argv', () => {
  it.each<[IptablesTarget, string[], string[]]>([
    [{ backend: 'legacy', family: 'ipv4' }, ['iptables-legacy-save'], ['iptables-legacy-restore', '--noflush', '--wait']],
    [{ backend: 'legacy', family: 'ipv6' }, ['ip6tables-legacy-save'], ['ip6tables-legacy-restore', '--noflush', '--wait']],
    [{ backend: 'nft', family: 'ipv4' }, ['iptables-nft-save'], ['iptables-nft-restore', '--noflush', '--wait']],
    [{ backend: 'nft', family: 'ipv6' }, ['ip6tables-nft-save'], ['ip6tables-nft-restore', '--noflush', '--wait']],
  ])('when the target is %j, then save is %j and restore is %j', (target, save, restore) => {
    expect(iptablesSaveArgv(target)).toEqual(save);
    expect(iptablesRestoreArgv(target)).toEqual(restore);
  });

  it('when a single command is built, then it waits for the lock and names its table', () => {
    expect(iptablesCommandArgv({ backend: 'legacy', family: 'ipv4' }, 'nat', ['-F', 'cali-OUTPUT'])).toEqual([
      'iptables-legacy',
      '--wait',
      '-t',
      'nat',
      '-F',
      'cali-OUTPUT',
    ]);
  });

  it('when every target is listed, then legacy comes first and all four pairs appear once', () => {
    expect(ALL_IPTABLES_TARGETS.map((t) => `${t.backend}/${t.family}`)).toEqual([
      'legacy/ipv4',
      'legacy/ipv6',
      'nft/ipv4',
      'nft/ipv6',
    ]);
  });

  it.each([
    ['/proc', 'ipv4', '/proc/net/ip_tables_names'],
    ['/proc', 'ipv6', '/proc/net/ip6_tables_names'],
    ['/proc/4242', 'ipv4', '/proc/4242/net/ip_tables_names'],
  ] as const)('when procfs is %s and the family %s, then legacy tables are listed in %s', (root, family, path) => {
    expect(legacyTableNamesPath(root, family)).toBe(path);
  });
});

describe('nft argv', () => {
  it('when probing and applying, then nft lists one named table and runs one batch from stdin', () => {
    expect(nftListTableArgv('arp', 'calico-arp')).toEqual(['nft', 'list', 'table', 'arp', 'calico-arp']);
    expect(nftBatchArgv()).toEqual(['nft', '-f', '-']);
  });
});
