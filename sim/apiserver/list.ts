/**
 * LIST: namespace scope, label/field selectors (pods by `spec.nodeName` through the index), and
 * `limit`/`continue` paging with `remainingItemCount` and the first page's RV carried in the token.
 */
import { z } from 'zod';
import type { ApiContext } from './context.js';
import { nameOf, namespaceOf, type Obj } from './json.js';
import { listOf } from './present.js';
import type { ResourceDef } from './resources.js';
import { matchesSelection, parseFieldSelector, parseLabelSelector, pinnedField, type Selection } from './selectors.js';
import { badRequest } from './status.js';
import type { ListScope } from './store.js';

const continueToken = z.object({ v: z.literal('meta.k8s.io/v1'), rv: z.number().int(), start: z.string() });
type ContinueToken = z.infer<typeof continueToken>;

const encodeContinue = (t: ContinueToken): string => Buffer.from(JSON.stringify(t)).toString('base64url');

function decodeContinue(raw: string): ContinueToken {
  try {
    return continueToken.parse(JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')));
  } catch {
    throw badRequest('continue key is not valid: illegal base64 data at input byte 0');
  }
}

export function selectionOf(def: ResourceDef, query: URLSearchParams): Selection {
  return { labels: parseLabelSelector(query.get('labelSelector')), fields: parseFieldSelector(query.get('fieldSelector'), def.storage) };
}

export function scopeOf(def: ResourceDef, ns: string | undefined, sel: Selection): ListScope {
  const scope: ListScope = {};
  const namespace = ns ?? pinnedField(sel.fields, 'metadata.namespace');
  if (def.namespaced && namespace !== undefined) scope.namespace = namespace;
  const node = def.storage === '/pods' ? pinnedField(sel.fields, 'spec.nodeName') : undefined;
  if (node !== undefined) scope.nodeName = node;
  return scope;
}

/** The objects a list (or deletecollection, or initial watch) sees, in key order. */
export function selectObjects(ctx: ApiContext, def: ResourceDef, ns: string | undefined, sel: Selection): Obj[] {
  const all = ctx.store.list(def.storage, scopeOf(def, ns, sel));
  if (sel.labels.length === 0 && sel.fields.length === 0) return all;
  return all.filter((o) => matchesSelection(o, sel));
}

const keyOf = (o: Obj): string => `${namespaceOf(o)}/${nameOf(o)}`;

const limitSchema = z.coerce.number().int().nonnegative();

function parseLimit(raw: string | null): number {
  if (raw === null || raw === '') return 0;
  const r = limitSchema.safeParse(raw);
  if (!r.success) throw badRequest(`invalid limit: ${raw}`);
  return r.data;
}

function page(items: Obj[], start: string, limit: number): { items: Obj[]; remaining: number } {
  const from = start === '' ? 0 : items.findIndex((o) => keyOf(o) >= start);
  const begin = from < 0 ? items.length : from;
  const end = limit > 0 ? Math.min(items.length, begin + limit) : items.length;
  return { items: items.slice(begin, end), remaining: items.length - end };
}

export function listObjects(ctx: ApiContext, def: ResourceDef, ns: string | undefined, query: URLSearchParams): Obj {
  const sel = selectionOf(def, query);
  const limit = parseLimit(query.get('limit'));
  const rawContinue = query.get('continue');
  const token = rawContinue ? decodeContinue(rawContinue) : undefined;
  const rv = token?.rv ?? ctx.store.currentRv();
  const all = selectObjects(ctx, def, ns, sel);
  const { items, remaining } = page(all, token?.start ?? '', limit);
  return listOf(def, items, listMeta(rv, items.at(-1), remaining, sel));
}

function listMeta(rv: number, last: Obj | undefined, remaining: number, sel: Selection): Obj {
  const meta: Obj = { resourceVersion: String(rv) };
  if (remaining <= 0 || !last) return meta;
  meta['continue'] = encodeContinue({ v: 'meta.k8s.io/v1', rv, start: `${keyOf(last)}\u0000` });
  if (sel.labels.length === 0 && sel.fields.length === 0) meta['remainingItemCount'] = remaining;
  return meta;
}
