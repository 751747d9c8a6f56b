/**
 * WATCH: newline-delimited `{type, object}` events over a chunked 200 response. Resumes from a
 * resourceVersion inside the history window, else one ERROR event (Status 410 Expired) and close.
 * Objects that stop matching the selectors are sent as DELETED, as the watch cache does. Bookmarks
 * every `bookmarkIntervalMs` and ~2 s before `timeoutSeconds`.
 */
import type { ServerResponse } from 'node:http';
import { z } from 'zod';
import type { ApiContext } from './context.js';
import { namespaceOf, type Obj } from './json.js';
import { selectionOf, selectObjects } from './list.js';
import { present } from './present.js';
import { apiVersionOf, type ResourceDef } from './resources.js';
import { matchesSelection, pinnedField, type Selection } from './selectors.js';
import { badRequest, failure } from './status.js';
import type { EventType, StoredEvent } from './store.js';
import { routeFields, type WatchRoute } from './watch-hub.js';

export interface WatchTiming {
  bookmarkIntervalMs: number;
  /** Used when the client sends no `timeoutSeconds`. */
  defaultTimeoutSeconds: number;
}

export interface WatchRequest {
  def: ResourceDef;
  namespace: string | undefined;
  query: URLSearchParams;
}

/** Open watches, so faults can drop them. */
export type WatchRegistry = Set<{ close(): void; caller: string; storage: string }>;

const watchQuery = z.object({
  resourceVersion: z.string().regex(/^\d*$/).optional(),
  timeoutSeconds: z.coerce.number().int().nonnegative().optional(),
  allowWatchBookmarks: z.enum(['true', 'false', '1', '0']).optional(),
});

function parseWatchQuery(query: URLSearchParams): z.infer<typeof watchQuery> {
  const r = watchQuery.safeParse(Object.fromEntries(query.entries()));
  if (!r.success) throw badRequest(`invalid watch parameters: ${r.error.issues.map((i) => i.path.join('.')).join(', ')}`);
  return r.data;
}

function inScope(o: Obj | undefined, ns: string | undefined, sel: Selection): boolean {
  if (!o) return false;
  if (ns !== undefined && namespaceOf(o) !== ns) return false;
  return matchesSelection(o, sel);
}

/** Which event (if any) a selector-filtered watcher sees for a stored event. */
export function visibleType(ev: StoredEvent, ns: string | undefined, sel: Selection): EventType | undefined {
  const now = ev.type !== 'DELETED' && inScope(ev.object, ns, sel);
  const before = ev.type !== 'ADDED' && inScope(ev.previous, ns, sel);
  if (now && before) return 'MODIFIED';
  if (now) return 'ADDED';
  if (before) return 'DELETED';
  return undefined;
}

/**
 * The event's line for a watcher of `def`: the same for every watcher of that resource that sees this type (one
 * seeing the object enter or leave its selection gets ADDED or DELETED), so it is serialized once per event.
 */
function lineFor(def: ResourceDef, ev: StoredEvent, type: EventType): string {
  const key = `${apiVersionOf(def)} ${def.kind} ${type}`;
  ev.lines ??= new Map();
  let line = ev.lines.get(key);
  if (line === undefined) {
    line = `${JSON.stringify({ type, object: present(def, ev.object) })}\n`;
    ev.lines.set(key, line);
  }
  return line;
}

function bookmarkLine(def: ResourceDef, rv: number): string {
  const object = { kind: def.kind, apiVersion: apiVersionOf(def), metadata: { resourceVersion: String(rv), creationTimestamp: null } };
  return `${JSON.stringify({ type: 'BOOKMARK', object })}\n`;
}

function expiredLine(requested: number, floor: number): string {
  const object = failure(410, `too old resource version: ${requested} (${floor})`, 'Expired');
  return `${JSON.stringify({ type: 'ERROR', object })}\n`;
}

/** Where and how one watch is streamed. */
export interface WatchStream {
  res: ServerResponse;
  timing: WatchTiming;
  open: WatchRegistry;
  caller: string;
}

type WatchQuery = z.infer<typeof watchQuery>;

function startTimers(ctx: ApiContext, def: ResourceDef, stream: WatchStream, q: WatchQuery): () => void {
  const { res, timing } = stream;
  const timeoutMs = (q.timeoutSeconds ?? timing.defaultTimeoutSeconds) * 1000;
  const sendBookmark = (): void => {
    if (!res.destroyed && !res.writableEnded) res.write(bookmarkLine(def, ctx.store.currentRv()));
  };
  const timers: NodeJS.Timeout[] = [setTimeout(() => res.end(), timeoutMs)];
  if (q.allowWatchBookmarks === 'true' || q.allowWatchBookmarks === '1') {
    timers.push(setInterval(sendBookmark, timing.bookmarkIntervalMs));
    if (timeoutMs > 2000) timers.push(setTimeout(sendBookmark, timeoutMs - 2000));
  }
  return () => timers.forEach((t) => clearTimeout(t));
}

const requestedRv = (q: WatchQuery): number | undefined =>
  q.resourceVersion && q.resourceVersion !== '0' ? Number(q.resourceVersion) : undefined;

function sender(req: WatchRequest, sel: Selection, res: ServerResponse): (ev: StoredEvent) => void {
  return (ev) => {
    const type = visibleType(ev, req.namespace, sel);
    if (type && !res.destroyed && !res.writableEnded) res.write(lineFor(req.def, ev, type));
  };
}

/** The most selective field the watch pins that the hub indexes watchers by (none: it sees every event). */
function routeOf(def: ResourceDef, sel: Selection): WatchRoute | undefined {
  for (const field of routeFields(def.storage)) {
    const value = pinnedField(sel.fields, field);
    if (value !== undefined) return { field, value };
  }
  return undefined;
}

/** Serve one watch until timeout, client close, or server close. */
export function serveWatch(ctx: ApiContext, req: WatchRequest, stream: WatchStream): void {
  const q = parseWatchQuery(req.query);
  const sel = selectionOf(req.def, req.query);
  const { def, namespace } = req;
  const { res } = stream;
  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' });
  res.flushHeaders();
  const requested = requestedRv(q);
  if (requested !== undefined && ctx.hub.isExpired(def.storage, requested)) {
    res.end(expiredLine(requested, ctx.hub.floorOf(def.storage)));
    return;
  }
  if (requested === undefined) {
    for (const o of selectObjects(ctx, def, namespace, sel)) res.write(`${JSON.stringify({ type: 'ADDED', object: present(def, o) })}\n`);
  }
  const unsubscribe = ctx.hub.subscribe(def.storage, requested ?? ctx.store.currentRv(), { deliver: sender(req, sel, res) }, routeOf(def, sel));
  const stopTimers = startTimers(ctx, def, stream, q);
  const handle = { close: () => res.destroy(), caller: stream.caller, storage: def.storage };
  stream.open.add(handle);
  res.on('close', () => {
    unsubscribe();
    stopTimers();
    stream.open.delete(handle);
  });
}
