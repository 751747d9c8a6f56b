/**
 * Packs the Calico objects worth keeping into ConfigMaps (one YAML document stream per kind, split across
 * ConfigMaps so none exceeds the size bound; a ConfigMap is limited to 1 MiB in etcd). Pure.
 */
import { parseAllDocuments, stringify } from 'yaml';

/** Well below the 1 MiB limit of an object in etcd (keys and metadata count too). */
export const BACKUP_CONFIGMAP_MAX_BYTES = 900 * 1024;
export const BACKUP_CONFIGMAP_PREFIX = 'cni-migrate-calico-backup-';

export type PlainObject = Record<string, unknown>;

/** The object without what the API server fills in (so it can be applied again as is). */
export function portable(o: PlainObject): PlainObject {
  const meta = (o['metadata'] ?? {}) as PlainObject;
  const { resourceVersion: _rv, uid: _uid, managedFields: _mf, creationTimestamp: _ct, generation: _g, selfLink: _sl, ...keep } = meta;
  const { status: _status, ...rest } = o;
  return { ...rest, metadata: keep };
}

export interface PackedConfigMap {
  name: string;
  /** key `<plural>-<n>.yaml` → a YAML document stream. */
  data: Record<string, string>;
}

export interface Packed {
  configMaps: PackedConfigMap[];
  objects: number;
  kinds: Record<string, number>;
}

/** Objects by plural, packed into as few ConfigMaps as the bound allows; throws if one object alone is too big. */
export function packBackup(byPlural: ReadonlyMap<string, readonly PlainObject[]>, maxBytes = BACKUP_CONFIGMAP_MAX_BYTES): Packed {
  const configMaps: PackedConfigMap[] = [];
  let current: PackedConfigMap = { name: `${BACKUP_CONFIGMAP_PREFIX}0`, data: {} };
  let size = 0;
  const kinds: Record<string, number> = {};
  let objects = 0;
  const flush = (): void => {
    if (Object.keys(current.data).length === 0) return;
    configMaps.push(current);
    current = { name: `${BACKUP_CONFIGMAP_PREFIX}${configMaps.length}`, data: {} };
    size = 0;
  };
  for (const [plural, items] of byPlural) {
    if (items.length === 0) continue;
    kinds[plural] = items.length;
    objects += items.length;
    items.forEach((o, idx) => {
      const doc = `---\n${stringify(portable(o))}`;
      const bytes = Buffer.byteLength(doc);
      if (bytes > maxBytes) throw new Error(`${plural} object #${idx} is ${bytes} bytes, more than a backup ConfigMap holds (${maxBytes})`);
      if (size + bytes > maxBytes) flush();
      const key = `${plural}-${configMaps.length}.yaml`;
      current.data[key] = (current.data[key] ?? '') + doc;
      size += bytes;
    });
  }
  flush();
  return { configMaps, objects, kinds };
}

/** The ConfigMap's index in its name (`…-backup-<i>`), for reading them back in the order they were written. */
const indexOf = (name: string): number => Number(/-(\d+)$/.exec(name)?.[1] ?? Number.MAX_SAFE_INTEGER);

/** One ConfigMap key's YAML document stream as objects. */
function parseObjects(where: string, text: string): PlainObject[] {
  return parseAllDocuments(text).map((doc) => {
    if (doc.errors.length > 0) throw new Error(`${where} is not valid YAML: ${doc.errors[0]?.message ?? ''}`);
    const value: unknown = doc.toJS();
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${where} holds a document that is not an object`);
    return value as PlainObject;
  });
}

/** The inverse of packBackup: the objects by plural, in the order they were packed. Throws on a document that is not an object. */
export function unpackBackup(configMaps: readonly PackedConfigMap[]): Map<string, PlainObject[]> {
  const out = new Map<string, PlainObject[]>();
  for (const cm of [...configMaps].sort((a, b) => indexOf(a.name) - indexOf(b.name))) {
    for (const [key, text] of Object.entries(cm.data)) {
      const plural = key.replace(/-\d+\.yaml$/, '');
      out.set(plural, [...(out.get(plural) ?? []), ...parseObjects(`${cm.name}/${key}`, text)]);
    }
  }
  return out;
}
