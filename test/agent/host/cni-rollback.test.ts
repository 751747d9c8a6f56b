import { describe, it, expect, beforeEach, afterEach } from '@jest/globals';
import { mkdtemp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { restoreCniFiles } from '../../../agent/host/cni-rollback.js';

let hostRoot = '';
const netd = (): string => path.join(hostRoot, 'etc/cni/net.d');
const put = (name: string, text: string): Promise<void> => writeFile(path.join(netd(), name), text);
const listing = async (): Promise<string[]> => (await readdir(netd())).sort();

beforeEach(async () => {
  hostRoot = await mkdtemp(path.join(tmpdir(), 'cni-rollback-'));
  await mkdir(netd(), { recursive: true });
});
afterEach(async () => {
  await rm(hostRoot, { recursive: true, force: true });
});

describe('CNI rollback', () => {
  it("when Cilium renamed Calico's config, then the backup is renamed back and Cilium's file removed", async () => {
    await put('05-cilium.conflist', 'cilium');
    await put('10-calico.conflist.cilium_bak', 'calico');
    await put('calico-kubeconfig', 'kubeconfig');
    const report = await restoreCniFiles(hostRoot);
    expect(report).toEqual({ removedCiliumConf: true, restored: ['10-calico.conflist'] });
    expect(await listing()).toEqual(['10-calico.conflist', 'calico-kubeconfig']);
    expect(await readFile(path.join(netd(), '10-calico.conflist'), 'utf8')).toBe('calico');
  });

  it('when run a second time, then nothing changes and nothing is reported', async () => {
    await put('05-cilium.conflist', 'cilium');
    await put('10-calico.conflist.cilium_bak', 'calico');
    await restoreCniFiles(hostRoot);
    expect(await restoreCniFiles(hostRoot)).toEqual({ removedCiliumConf: false, restored: [] });
    expect(await listing()).toEqual(['10-calico.conflist']);
  });

  it('when a previous attempt stopped halfway (one restored, one not, Cilium file still there), then it finishes', async () => {
    await put('05-cilium.conflist', 'cilium');
    await put('10-calico.conflist', 'calico restored earlier');
    await put('20-other.conf.cilium_bak', 'other');
    const report = await restoreCniFiles(hostRoot);
    expect(report).toEqual({ removedCiliumConf: true, restored: ['20-other.conf'] });
    expect(await listing()).toEqual(['10-calico.conflist', '20-other.conf']);
  });

  it('when both X and X.cilium_bak exist, then X (the newer) is kept and the stale backup removed', async () => {
    await put('10-calico.conflist', 'current');
    await put('10-calico.conflist.cilium_bak', 'stale');
    const report = await restoreCniFiles(hostRoot);
    expect(report.restored).toEqual([]);
    expect(await listing()).toEqual(['10-calico.conflist']);
    expect(await readFile(path.join(netd(), '10-calico.conflist'), 'utf8')).toBe('current');
  });

  it('when the CNI directory does not exist, then nothing happens', async () => {
    await rm(netd(), { recursive: true });
    expect(await restoreCniFiles(hostRoot)).toEqual({ removedCiliumConf: false, restored: [] });
  });

  it('when a file is named just ".cilium_bak", then it is left alone', async () => {
    await put('.cilium_bak', 'odd');
    await restoreCniFiles(hostRoot);
    expect(await listing()).toEqual(['.cilium_bak']);
  });
});
