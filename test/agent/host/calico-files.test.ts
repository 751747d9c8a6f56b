import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { findCalicoFiles, removeFiles } from '../../../agent/host/calico-files.js';

let root = '';
const at = (rel: string): string => path.join(root, rel);
async function put(rel: string): Promise<void> {
  await mkdir(path.dirname(at(rel)), { recursive: true });
  await writeFile(at(rel), rel);
}

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'calico-files-'));
  // As in the DaemonSet: var/lib/calico is a volume of its own (here a tmpfs), the rest plain directories.
  await mkdir(at('var/lib/calico'), { recursive: true });
  await execa('mount', ['-t', 'tmpfs', 'tmpfs', at('var/lib/calico')]);
  for (const rel of ['var/lib/calico/nodename', 'var/lib/calico/ipam/x', 'var/log/calico/cni/cni.log', 'opt/cni/bin/calico']) {
    await put(rel);
  }
  for (const rel of ['opt/cni/bin/cilium-cni', 'var/lib/cilium/state', 'etc/cni/net.d/05-cilium.conflist']) await put(rel);
});

afterAll(async () => {
  await execa('umount', [at('var/lib/calico')], { reject: false });
  await rm(root, { recursive: true, force: true });
});

describe("Calico's files under the host root", () => {
  it('when present, then each is found once, as an absolute path', async () => {
    expect(await findCalicoFiles(root)).toEqual([at('opt/cni/bin/calico'), at('var/lib/calico'), at('var/log/calico')]);
  });

  it('when removed, then plain paths go, a mounted directory is only emptied, and nothing else is touched', async () => {
    await removeFiles(await findCalicoFiles(root));
    expect(await findCalicoFiles(root)).toEqual([]);
    expect((await stat(at('var/lib/calico'))).isDirectory()).toBe(true);
    expect(await readdir(at('var/lib/calico'))).toEqual([]);
    expect(await readdir(at('var/log'))).toEqual([]);
    expect(await readdir(at('opt/cni/bin'))).toEqual(['cilium-cni']);
    expect(await readdir(at('var/lib/cilium'))).toEqual(['state']);
    expect(await readdir(at('etc/cni/net.d'))).toEqual(['05-cilium.conflist']);
  });

  it('when something is written into the mounted directory again, then it counts as a leftover again', async () => {
    await put('var/lib/calico/nodename');
    expect(await findCalicoFiles(root)).toEqual([at('var/lib/calico')]);
  });
});
