/**
 * PATCH by Content-Type: JSON merge patch (RFC 7386), strategic merge patch (merge by key for the lists
 * Kubernetes merges by key in what we serve), JSON patch (RFC 6902, through fast-json-patch).
 */
import fastJsonPatch from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';
import { z } from 'zod';
import { cloneJson, isObj, type Obj } from './json.js';
import { badRequest, KubeStatusError, failure, unsupportedMediaType } from './status.js';

export type PatchKind = 'merge' | 'strategic' | 'json';

export function patchKindOf(contentType: string | undefined): PatchKind {
  const ct = (contentType ?? '').split(';')[0]?.trim().toLowerCase();
  if (ct === 'application/merge-patch+json') return 'merge';
  if (ct === 'application/strategic-merge-patch+json') return 'strategic';
  if (ct === 'application/json-patch+json') return 'json';
  throw unsupportedMediaType();
}

/** RFC 7386: objects merge, `null` deletes, everything else (lists included) replaces. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObj(patch)) return cloneJson(patch);
  const out: Obj = isObj(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/** List fields merged by key (patchMergeKey) in the Kubernetes types we serve; other lists are replaced. */
const MERGE_KEYS: Record<string, string> = {
  conditions: 'type',
  ownerReferences: 'uid',
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  volumes: 'name',
  volumeMounts: 'mountPath',
  env: 'name',
  imagePullSecrets: 'name',
  addresses: 'type',
};

/** Primitive lists merged as sets. */
const SET_LISTS = new Set(['finalizers']);

function mergeByKey(target: unknown[], patch: unknown[], key: string): unknown[] {
  const out = [...target];
  for (const item of patch) {
    if (!isObj(item)) continue;
    const idx = out.findIndex((t) => isObj(t) && t[key] === item[key]);
    if (item['$patch'] === 'delete') {
      if (idx >= 0) out.splice(idx, 1);
      continue;
    }
    if (idx >= 0) out[idx] = strategicPatch(out[idx], item);
    else out.push(strategicPatch({}, item));
  }
  return out;
}

function strategicList(field: string, target: unknown, patch: unknown[]): unknown {
  const key = MERGE_KEYS[field];
  if (key && Array.isArray(target)) return mergeByKey(target, patch, key);
  if (SET_LISTS.has(field) && Array.isArray(target)) return [...new Set<unknown>([...(target as unknown[]), ...patch])];
  if (key) return mergeByKey([], patch, key);
  return cloneJson(patch);
}

const isDirective = (k: string): boolean => k.startsWith('$');

/** Strategic merge patch for the fields we use; `$`-directives (`$setElementOrder/…`, `$retainKeys`) are ignored. */
export function strategicPatch(target: unknown, patch: unknown): unknown {
  if (!isObj(patch)) return cloneJson(patch);
  const out: Obj = isObj(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (isDirective(k)) continue;
    if (v === null) delete out[k];
    else if (Array.isArray(v)) out[k] = strategicList(k, out[k], v);
    else out[k] = strategicPatch(out[k], v);
  }
  return out;
}

const patchRejected = (): KubeStatusError =>
  new KubeStatusError(422, failure(422, 'the server rejected our request due to an error in our request', 'Invalid', {}));

const operationSchema = z
  .object({ op: z.enum(['add', 'remove', 'replace', 'move', 'copy', 'test']), path: z.string(), from: z.string().optional(), value: z.unknown().optional() })
  .passthrough();

function jsonPatch(target: Obj, body: unknown): unknown {
  const parsed = z.array(operationSchema).safeParse(body);
  if (!parsed.success) throw badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  const ops = parsed.data.map((o): Operation => ({ ...o }) as Operation);
  try {
    return fastJsonPatch.applyPatch(cloneJson(target), ops, true, false).newDocument;
  } catch {
    throw patchRejected();
  }
}

/** Apply a patch of `kind` to a stored object, returning a new object (the input is left alone). */
export function applyPatch(kind: PatchKind, target: Obj, patch: unknown): Obj {
  if (kind !== 'json' && !isObj(patch)) throw badRequest('the body of the request was in an unknown format');
  const result = kind === 'merge' ? mergePatch(target, patch) : kind === 'strategic' ? strategicPatch(target, patch) : jsonPatch(target, patch);
  if (!isObj(result)) throw patchRejected();
  return result;
}
