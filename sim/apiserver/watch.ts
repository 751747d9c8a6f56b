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
import { matchesSelection, type Selection } from './selectors.js';
import { badRequest, failure } from './status.js';
import type { EventType, StoredEvent } from './store.js';

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

function lineFor(def: ResourceDef, ev: StoredEvent, type: EventType, shareable: boolean): string {
  if (shareable && type === ev.type && ev.line !== undefined) return ev.line;
  const line = `${JSON.stringify({ type, object: present(def, ev.object) })}\n`;
  if (shareable && type === ev.type) ev.line = line;
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

interface Stream {
  res: ServerResponse;
  closed: boolean;
}

function startTimers(ctx: ApiContext, req: WatchRequest, stream: Stream, timing: WatchTiming, bookmarks: boolean): () => void {
  const q = parseWatchQuery(req.query);
  const timeoutMs = (q.timeoutSeconds ?? timing.defaultTimeoutSeconds) * 1000;
  const sendBookmark = (): void => {
    if (!stream.closed) stream.res.write(bookmarkLine(req.def, ctx.store.currentRv()));
  };
  const timers: NodeJS.Timeout[] = [setTimeout(() => stream.res.end(), timeoutMs)];
  if (bookmarks) {
    timers.push(setInterval(sendBookmark, timing.bookmarkIntervalMs));
    if (timeoutMs > 2000) timers.push(setTimeout(sendBookmark, timeoutMs - 2000));
  }
  return () => timers.forEach((t) => clearTimeout(t));
}

/** Serve one watch on `res` until timeout, client close, or server close. */
export function serveWatch(ctx: ApiContext, req: WatchRequest, res: ServerResponse, timing: WatchTiming, open: WatchRegistry, caller: string): void {
  const q = parseWatchQuery(req.query);
  const sel = selectionOf(req.def, req.query);
  const { def, namespace } = req;
  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' });
  const stream: Stream = { res, closed: false };
  const requested = q.resourceVersion && q.resourceVersion !== '0' ? Number(q.resourceVersion) : undefined;
  if (requested !== undefined && ctx.hub.isExpired(def.storage, requested)) {
    res.end(expiredLine(requested, ctx.hub.floorOf(def.storage)));
    return;
  }
  const shareable = !def.codec && namespace === undefined && sel.labels.length === 0 && sel.fields.length === 0;
  const send = (ev: StoredEvent): void => {
    const type = visibleType(ev, namespace, sel);
    if (type && !stream.closed) res.write(lineFor(def, ev, type, shareable));
  };
  if (requested === undefined) {
    for (const o of selectObjects(ctx, def, namespace, sel)) res.write(`${JSON.stringify({ type: 'ADDED', object: present(def, o) })}\n`);
  }
  const unsubscribe = ctx.hub.subscribe(def.storage, requested ?? ctx.store.currentRv(), { deliver: send });
  const stopTimers = startTimers(ctx, req, stream, timing, q.allowWatchBookmarks === 'true' || q.allowWatchBookmarks === '1');
  const handle = { close: () => res.destroy(), caller, storage: def.storage };
  open.add(handle);
  res.on('close', () => {
    stream.closed = true;
    unsubscribe();
    stopTimers();
    open.delete(handle);
  });
}
