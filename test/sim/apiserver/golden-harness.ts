/**
 * Helpers for replaying the recorded kube-apiserver exchanges against the simulated server: loading
 * the fixtures, sending a request with chosen credentials, reading watch streams, and body shapes.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

const here = dirname(fileURLToPath(import.meta.url));
export const GOLDEN_DIR = join(here, '..', '..', 'fixtures', 'k8s-golden');

const exchangeSchema = z.object({
  title: z.string(),
  request: z.object({
    method: z.string(),
    path: z.string(),
    headers: z.record(z.string(), z.string()),
    body: z.unknown(),
  }),
  response: z.object({
    status: z.number(),
    headers: z.record(z.string(), z.string()),
    body: z.unknown().optional(),
    /** A body that is not JSON (the generic 404 of a path nothing serves). */
    bodyText: z.string().optional(),
    events: z.array(z.object({ type: z.string(), object: z.record(z.string(), z.unknown()) })).optional(),
  }),
  notes: z.array(z.string()).optional(),
});

export type Exchange = z.infer<typeof exchangeSchema> & { id: number; file: string };

export function loadExchanges(): Exchange[] {
  return readdirSync(GOLDEN_DIR)
    .filter((f) => f.endsWith('.json'))
    .map((file) => ({ file, id: Number.parseInt(file, 10), ...exchangeSchema.parse(JSON.parse(readFileSync(join(GOLDEN_DIR, file), 'utf8'))) }))
    .sort((a, b) => a.id - b.id);
}

export interface Sent {
  status: number;
  contentType: string;
  warning: string | null;
  text: string;
}

export interface Outgoing {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: unknown;
  /** `undefined`: no Authorization header. */
  token: string | undefined;
}

export async function send(baseUrl: string, o: Outgoing): Promise<Sent> {
  const headers: Record<string, string> = { ...o.headers };
  if (o.token !== undefined) headers['Authorization'] = `Bearer ${o.token}`;
  const init: RequestInit = { method: o.method, headers };
  if (o.body !== null && o.body !== undefined) init.body = JSON.stringify(o.body);
  const res = await fetch(`${baseUrl}${o.path}`, init);
  const text = await res.text();
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', warning: res.headers.get('warning'), text };
}

type Json = Record<string, unknown>;
const isJson = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

const deletionOf = (body: Json): Json => {
  const meta = isJson(body['metadata']) ? body['metadata'] : {};
  return { terminating: meta['deletionTimestamp'] !== undefined, deletionGracePeriodSeconds: meta['deletionGracePeriodSeconds'], finalizers: meta['finalizers'] };
};

/** A Table's columns (name, type, priority), the cell count of its rows, the columns null in some row, the row object kinds. */
function tableOf(body: Json): Json | undefined {
  if (body['kind'] !== 'Table') return undefined;
  const columns = (Array.isArray(body['columnDefinitions']) ? body['columnDefinitions'] : []).filter(isJson);
  const rows = (Array.isArray(body['rows']) ? body['rows'] : []).filter(isJson);
  const cellsOf = (r: Json): unknown[] => (Array.isArray(r['cells']) ? r['cells'] : []);
  return {
    columns: columns.map((c) => `${String(c['name'])}:${String(c['type'])}:${String(c['priority'])}`),
    cellCounts: [...new Set(rows.map((r) => cellsOf(r).length))],
    nullColumns: columns.filter((_, i) => rows.some((r) => cellsOf(r)[i] === null)).map((c) => c['name']),
    objectKinds: [...new Set(rows.map((r) => (isJson(r['object']) ? r['object']['kind'] : undefined)))],
  };
}

/**
 * What is compared of a body: kinds, reasons, codes, cause reasons, details.kind, item kinds, whether the
 * object is being deleted (with its grace and finalizers), and for a Table its columns and null cells.
 */
export function shapeOf(body: unknown): Json {
  if (!isJson(body)) return { body: typeof body };
  const details = isJson(body['details']) ? body['details'] : undefined;
  const causes = details && Array.isArray(details['causes']) ? details['causes'] : undefined;
  const items = Array.isArray(body['items']) ? body['items'] : undefined;
  return {
    kind: body['kind'],
    apiVersion: body['apiVersion'],
    reason: body['reason'],
    code: body['code'],
    detailsKind: details?.['kind'],
    causeReasons: causes?.map((c) => (isJson(c) ? c['reason'] : undefined)),
    itemKinds: items ? [...new Set(items.map((i) => (isJson(i) ? i['kind'] : undefined)))].filter((k) => k !== undefined) : undefined,
    deletion: deletionOf(body),
    table: tableOf(body),
  };
}

export interface WatchEvent {
  type: string;
  object: Json;
}

export const parseWatchLines = (text: string): WatchEvent[] =>
  text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as WatchEvent);

/** Event types in order, with trailing BOOKMARK runs collapsed to one (their count depends on timing). */
export function eventTypes(events: WatchEvent[]): string[] {
  const out: string[] = [];
  for (const e of events) if (!(e.type === 'BOOKMARK' && out.at(-1) === 'BOOKMARK')) out.push(e.type);
  return out;
}

/** Replace one query parameter of a path. */
export function withQuery(path: string, key: string, value: string): string {
  const url = new URL(path, 'http://x.invalid');
  url.searchParams.set(key, value);
  return `${url.pathname}?${url.searchParams.toString()}`;
}
