import { describe, it, expect } from '@jest/globals';
import { applyNftTables, buildNftPayload, isMissingTable, planNftCleanup } from '../../../agent/host/iptables/nft.js';
import { HostCommandError } from '../../../shared/errors.js';
import type { CommandRunner, RunOptions } from '../../../agent/host/exec.js';

describe('isMissingTable', () => {
  it.each([
    [{ exitCode: 1, stdout: '', stderr: 'Error: No such file or directory\nlist table ip calico\n' }, true],
    [{ exitCode: 1, stdout: '', stderr: 'Error: Could not process rule: Operation not permitted\n' }, false],
    [{ exitCode: 0, stdout: 'table ip calico {\n}\n', stderr: '' }, false],
  ])('when nft answers %j, then the table is missing: %s', (res, expected) => {
    expect(isMissingTable(res)).toBe(expected);
  });
});

describe('planNftCleanup', () => {
  /** nft answering `list table` for the tables that exist, "No such file or directory" otherwise. */
  const nftWith = (existing: string[], calls: string[]): CommandRunner => async (argv) => {
    calls.push(argv.join(' '));
    const table = argv.slice(3).join(' ');
    return existing.includes(table)
      ? { exitCode: 0, stdout: `table ${table} {\n}\n`, stderr: '' }
      : { exitCode: 1, stdout: '', stderr: 'Error: No such file or directory\n' };
  };

  it('when two of Calico\'s tables exist, then the plan names exactly those, probing each candidate by name', async () => {
    const calls: string[] = [];
    expect(await planNftCleanup(nftWith(['ip6 calico', 'arp calico-arp', 'ip filter'], calls), 1000)).toEqual([
      'ip6 calico',
      'arp calico-arp',
    ]);
    expect(calls).toEqual([
      'nft list table ip calico',
      'nft list table ip6 calico',
      'nft list table inet calico',
      'nft list table arp calico-arp',
    ]);
  });

  it('when nft fails for another reason, then it throws a HostCommandError', async () => {
    const run: CommandRunner = async () => ({ exitCode: 1, stdout: '', stderr: 'Operation not permitted' });
    await expect(planNftCleanup(run, 1000)).rejects.toBeInstanceOf(HostCommandError);
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
