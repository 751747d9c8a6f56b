/**
 * `cni-migrate backup -f FILE`: the Calico objects worth keeping (the ones the RemoveCalico stage stores in
 * ConfigMaps before removing anything) written to a file the operator keeps, as YAML documents or a JSON
 * List, both ready for `kubectl apply -f`. They come from the live cluster while Calico's CRDs still hold
 * them, else from the stored backup ConfigMaps (after RemoveCrds, only the stored backup is left).
 */
import { writeFile } from 'node:fs/promises';
import { stringify } from 'yaml';
import { CniMigrateError, ConfigError } from '../shared/errors.js';
import { portable, type PlainObject } from './core/stages/backup-pack.js';
import { BACKUP_PLURALS } from './core/stages/calico-removal.js';
import type { CalicoBackupApi } from './kube/calico-backup.js';

export type BackupFormat = 'yaml' | 'json';
export type BackupSource = 'auto' | 'live' | 'stored';

export interface BackupCommandOptions {
  /** Where to write; `-` is stdout. An existing file is never overwritten. */
  file: string;
  output: BackupFormat;
  from: BackupSource;
}

/** Kinds in one order whatever the source (a stored ConfigMap lists its keys sorted). */
const KIND_ORDER = [...BACKUP_PLURALS, 'installations.operator.tigera.io'];
const rank = (plural: string): number => (KIND_ORDER.includes(plural) ? KIND_ORDER.indexOf(plural) : KIND_ORDER.length);

const count = (byPlural: ReadonlyMap<string, readonly PlainObject[]>): number => [...byPlural.values()].reduce((n, items) => n + items.length, 0);

async function gather(api: Pick<CalicoBackupApi, 'collect' | 'stored'>, from: BackupSource): Promise<{ objects: Map<string, PlainObject[]>; source: string }> {
  if (from !== 'stored') {
    const live = await api.collect();
    if (from === 'live' || count(live) > 0) return { objects: live, source: 'the live cluster' };
  }
  return { objects: await api.stored(), source: 'the stored backup ConfigMaps' };
}

export function renderBackup(objects: readonly PlainObject[], format: BackupFormat): string {
  const items = objects.map(portable);
  if (format === 'json') return `${JSON.stringify({ apiVersion: 'v1', kind: 'List', items }, null, 2)}\n`;
  return items.map((o) => `---\n${stringify(o)}`).join('');
}

async function writeNew(file: string, text: string, write: (t: string) => void): Promise<void> {
  if (file === '-') return write(text);
  try {
    await writeFile(file, text, { flag: 'wx', mode: 0o600 });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new ConfigError(`-f ${file}: the file exists; a backup never overwrites one (choose another name)`);
    throw new CniMigrateError('Internal', `-f ${file}: ${(e as Error).message}`, { cause: e });
  }
}

/** Writes the backup; returns the one-line summary (none when the backup itself went to stdout). */
export async function backupCommand(api: Pick<CalicoBackupApi, 'collect' | 'stored'>, opts: BackupCommandOptions, write: (t: string) => void): Promise<string> {
  const gathered = await gather(api, opts.from);
  const source = gathered.source;
  const objects = [...gathered.objects].filter(([, items]) => items.length > 0).sort(([a], [b]) => rank(a) - rank(b));
  const all = objects.flatMap(([, items]) => items);
  if (all.length === 0) throw new CniMigrateError('NotFound', `no Calico objects to back up in ${source}${opts.from === 'auto' ? ' (and none in the live cluster)' : ''}; nothing written`);
  await writeNew(opts.file, renderBackup(all, opts.output), write);
  const kinds = objects.map(([plural, items]) => `${plural}=${items.length}`).join(' ');
  return opts.file === '-' ? '' : `backed up ${all.length} Calico objects from ${source} to ${opts.file} (${kinds})\n`;
}
