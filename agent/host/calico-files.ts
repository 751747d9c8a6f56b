/**
 * Calico's files under the host root: its CNI config (also the copy Cilium's cni-exclusive renamed
 * to `.cilium_bak`), kubeconfig and TLS dir, its CNI binaries, and its state and log dirs. Nothing
 * else under those directories is touched.
 */
import { lstat, readdir, rm } from 'node:fs/promises';
import path from 'node:path';

export const CALICO_FILES: readonly string[] = [
  'etc/cni/net.d/10-calico.conflist',
  'etc/cni/net.d/10-calico.conflist.cilium_bak',
  'etc/cni/net.d/calico-kubeconfig',
  'etc/cni/net.d/calico-tls',
  'opt/cni/bin/calico',
  'opt/cni/bin/calico-ipam',
  'var/lib/calico',
  'var/run/calico',
  'var/log/calico',
];

const exists = async (p: string): Promise<boolean> => {
  try {
    await lstat(p);
    return true;
  } catch {
    return false;
  }
};

/**
 * A directory on another device than its parent is a mount point: in the DaemonSet, Calico's state dirs are
 * the agent's own hostPath volumes (DirectoryOrCreate), so they can only be emptied, not removed.
 */
async function isMountPoint(p: string): Promise<boolean> {
  const [self, parent] = await Promise.all([lstat(p), lstat(path.dirname(p))]);
  return self.isDirectory() && self.dev !== parent.dev;
}

/** Still Calico's: present, unless it is an emptied mount point. */
async function isLeftover(p: string): Promise<boolean> {
  if (!(await exists(p))) return false;
  if (!(await isMountPoint(p))) return true;
  return (await readdir(p)).length > 0;
}

/** The Calico paths present under hostRoot, as absolute paths. */
export async function findCalicoFiles(hostRoot: string): Promise<string[]> {
  const candidates = CALICO_FILES.map((rel) => path.join(hostRoot, rel));
  const present = await Promise.all(candidates.map(isLeftover));
  return candidates.filter((_, i) => present[i]);
}

/** Removes the paths (directories recursively; a mount point is emptied). Already gone is fine. */
export async function removeFiles(paths: readonly string[]): Promise<void> {
  for (const p of paths) {
    if (await isMountPoint(p).catch(() => false)) {
      for (const entry of await readdir(p)) await rm(path.join(p, entry), { recursive: true, force: true });
    } else {
      await rm(p, { recursive: true, force: true });
    }
  }
}
