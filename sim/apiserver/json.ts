/**
 * Plain-JSON helpers. Stored objects are plain JSON values, never mutated after they are stored:
 * every write builds a new object, so reads can hand out references without copying.
 */
export type Obj = Record<string, unknown>;

export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The object at `key`, or an empty object when absent or not an object. */
export function objAt(o: Obj, key: string): Obj {
  const v = o[key];
  return isObj(v) ? v : {};
}

export function strAt(o: Obj, key: string): string | undefined {
  const v = o[key];
  return typeof v === 'string' ? v : undefined;
}

export function arrAt(o: Obj, key: string): unknown[] {
  const v = o[key];
  return Array.isArray(v) ? v : [];
}

/** Walk a dotted path (`spec.nodeName`) through nested objects. */
export function valueAtPath(o: unknown, path: readonly string[]): unknown {
  let cur: unknown = o;
  for (const part of path) {
    if (!isObj(cur)) return undefined;
    cur = cur[part];
  }
  return cur;
}

export const metaOf = (o: Obj): Obj => objAt(o, 'metadata');
export const nameOf = (o: Obj): string => strAt(metaOf(o), 'name') ?? '';
export const namespaceOf = (o: Obj): string => strAt(metaOf(o), 'namespace') ?? '';
export const uidOf = (o: Obj): string => strAt(metaOf(o), 'uid') ?? '';
export const labelsOf = (o: Obj): Record<string, string> => {
  const labels = metaOf(o)['labels'];
  // Stored labels are strings: the decode checks reject anything else before an object is stored.
  return isObj(labels) ? (labels as Record<string, string>) : {};
};

/** A deep copy for the write path (the input is plain JSON). */
export const cloneJson = <T>(v: T): T => structuredClone(v);

/** Structural equality of two JSON values. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  if (!isObj(a) || !isObj(b)) return false;
  const ka = Object.keys(a).filter((k) => a[k] !== undefined);
  const kb = Object.keys(b).filter((k) => b[k] !== undefined);
  return ka.length === kb.length && ka.every((k) => jsonEqual(a[k], b[k]));
}

/** A copy of `o` with `metadata` replaced by `metadata` merged with `changes` (undefined removes a key). */
export function withMeta(o: Obj, changes: Obj): Obj {
  const meta: Obj = { ...metaOf(o) };
  for (const [k, v] of Object.entries(changes)) {
    if (v === undefined) delete meta[k];
    else meta[k] = v;
  }
  return { ...o, metadata: meta };
}
