/**
 * Undo Cilium's cni-exclusive on this node: every `<name>.cilium_bak` under `<hostRoot>/etc/cni/net.d`
 * is renamed back to `<name>`, then `05-cilium.conflist` is removed. Backups go back first, so an
 * interruption never leaves the node without any CNI config. Idempotent.
 *
 * When both `<name>` and `<name>.cilium_bak` exist, `<name>` was written after Cilium's rename (the
 * old CNI re-installed it, or an earlier attempt got that far): it is the current one and is kept; the
 * stale backup is removed.
 */
import { readdir, rename, rm, lstat } from 'node:fs/promises';
import path from 'node:path';
import type { RestoreCniReport } from './node-host.js';

export const CNI_CONF_DIR = 'etc/cni/net.d';
export const CILIUM_CONF = '05-cilium.conflist';
export const CILIUM_BACKUP_SUFFIX = '.cilium_bak';

const exists = async (p: string): Promise<boolean> => lstat(p).then(
  () => true,
  () => false,
);

/** Restores one backup; returns its restored name, or undefined when the current file was kept. */
async function restoreBackup(dir: string, backup: string): Promise<string | undefined> {
  const name = backup.slice(0, -CILIUM_BACKUP_SUFFIX.length);
  if (await exists(path.join(dir, name))) {
    await rm(path.join(dir, backup), { force: true });
    return undefined;
  }
  await rename(path.join(dir, backup), path.join(dir, name));
  return name;
}

export async function restoreCniFiles(hostRoot: string): Promise<RestoreCniReport> {
  const dir = path.join(hostRoot, CNI_CONF_DIR);
  const entries = await readdir(dir).catch(() => [] as string[]);
  const backups = entries.filter((e) => e.endsWith(CILIUM_BACKUP_SUFFIX) && e.length > CILIUM_BACKUP_SUFFIX.length).sort();
  const restored: string[] = [];
  for (const backup of backups) {
    const name = await restoreBackup(dir, backup);
    if (name !== undefined) restored.push(name);
  }
  const ciliumConf = path.join(dir, CILIUM_CONF);
  const removedCiliumConf = await exists(ciliumConf);
  await rm(ciliumConf, { force: true });
  return { removedCiliumConf, restored };
}
