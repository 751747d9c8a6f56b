/**
 * Calico's files under the host root: its CNI config (also the copy Cilium's cni-exclusive renamed
 * to `.cilium_bak`), kubeconfig and TLS dir, its CNI binaries, and its state and log dirs. Nothing
 * else under those directories is touched.
 */
import { lstat, rm } from 'node:fs/promises';
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

/** The Calico paths present under hostRoot, as absolute paths. */
export async function findCalicoFiles(hostRoot: string): Promise<string[]> {
  const candidates = CALICO_FILES.map((rel) => path.join(hostRoot, rel));
  const present = await Promise.all(candidates.map(exists));
  return candidates.filter((_, i) => present[i]);
}

/** Removes the paths (directories recursively). Already gone is fine. */
export async function removeFiles(paths: readonly string[]): Promise<void> {
  for (const p of paths) await rm(p, { recursive: true, force: true });
}
