/**
 * The HTTP edge: read the body, identify the request, authenticate, count, inject faults, authorize,
 * dispatch, and write JSON (or a watch stream). Every failure leaves as a Kubernetes Status body.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { parse as parseYaml } from 'yaml';
import type { RequestAccounting } from './accounting.js';
import type { ApiCallLog } from './call-log.js';
import type { Authenticator, UserInfo } from './auth.js';
import type { ApiContext } from './context.js';
import type { FaultInjector } from './faults.js';
import { handleResource, type Reply, type RequestBody, type SubresourceHandler } from './handlers.js';
import { forbiddenFor, isAllowed, type Attributes } from './rbac.js';
import { parseRequest, type NonResourceRequest, type RequestInfo, type ResourceRequest } from './request-info.js';
import { badRequest, failure, internalError, KubeStatusError, pathNotFound, unauthorized } from './status.js';
import { tableVersionAsked, toTable } from './table.js';
import { serveWatch, type WatchRegistry, type WatchTiming } from './watch.js';

export interface Edge {
  ctx: ApiContext;
  auth: Authenticator;
  accounting: RequestAccounting;
  calls: ApiCallLog;
  faults: FaultInjector;
  watches: WatchRegistry;
  timing: WatchTiming;
  subresources: Map<string, SubresourceHandler>;
  discovery(req: NonResourceRequest, accept: string): Reply | undefined;
}

const MAX_BODY = 8 * 1024 * 1024;

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > MAX_BODY) throw new KubeStatusError(413, failure(413, 'Request entity too large', 'RequestEntityTooLarge'));
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8');
}

const BODY_TYPES = ['application/json', 'application/yaml'];
const unknownFormat = (): KubeStatusError =>
  new KubeStatusError(
    415,
    failure(415, 'the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf', 'UnsupportedMediaType'),
  );

/**
 * The body as the real decoder reads it: JSON, or YAML (a missing Content-Type means JSON); any other media
 * type is 415. PATCH bodies are left to the patch handler, which checks its own media types.
 */
function decodeText(text: string, method: string | undefined, contentType: string | undefined): unknown {
  if (method === 'PATCH' || text.length === 0) return parseJson(text);
  const type = (contentType ?? 'application/json').split(';')[0]?.trim().toLowerCase() ?? '';
  if (!BODY_TYPES.includes(type)) throw unknownFormat();
  if (type === 'application/json') return parseJson(text);
  try {
    return parseYaml(text) as unknown;
  } catch (e) {
    throw badRequest(`yaml: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw badRequest(`json parse error: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function send(res: ServerResponse, reply: Reply): void {
  const headers: Record<string, string | string[]> = { 'Content-Type': reply.contentType ?? 'application/json' };
  if (reply.warnings && reply.warnings.length > 0) headers['Warning'] = reply.warnings.map((w) => `299 - ${JSON.stringify(w)}`);
  res.writeHead(reply.status, headers);
  res.end(reply.raw ?? reply.text ?? JSON.stringify(reply.body));
}

/** A path no API group/version serves: the generic mux's plain-text 404, not a Status. */
class PageNotFound extends Error {}
const PAGE_NOT_FOUND: Reply = { status: 404, body: {}, text: '404 page not found', contentType: 'text/plain; charset=utf-8' };

function statusReply(e: unknown): Reply {
  if (e instanceof PageNotFound) return PAGE_NOT_FOUND;
  if (e instanceof KubeStatusError) return { status: e.statusCode, body: e.body };
  const err = internalError(e instanceof Error ? e.message : String(e));
  return { status: 500, body: err.body };
}

/** A list or watch pinned to one name by `fieldSelector=metadata.name=X` is authorized as that name (as the real RequestInfoFactory does). */
function nameOf(info: ResourceRequest): string | undefined {
  if (info.name !== undefined || (info.verb !== 'list' && info.verb !== 'watch')) return info.name;
  const terms = (info.query.get('fieldSelector') ?? '').split(',');
  const pinned = terms.map((t) => /^metadata\.name==?(.+)$/.exec(t.trim())?.[1]).find((n) => n !== undefined);
  return pinned !== undefined && /^[^/%]+$/.test(pinned) && pinned !== '.' && pinned !== '..' ? pinned : undefined;
}

function attributesOf(info: ResourceRequest): Attributes {
  return { verb: info.verb, group: info.group, resource: info.resource, subresource: info.subresource, name: nameOf(info), namespace: info.namespace };
}

function authenticate(edge: Edge, req: IncomingMessage): UserInfo {
  const r = edge.auth.authenticateHeader(req.headers.authorization);
  if (!r.ok) throw unauthorized();
  return r.user;
}

async function applyFaults(edge: Edge, info: RequestInfo, caller: string): Promise<{ dropWatch: boolean; loseResponse: boolean }> {
  if (info.kind !== 'resource') return { dropWatch: false, loseResponse: false };
  const d = edge.faults.decide({ verb: info.verb, resource: info.resource, subresource: info.subresource, caller });
  if (d.latencyMs > 0) await delay(d.latencyMs);
  if (d.error) throw d.error;
  return d;
}

interface Incoming {
  info: ResourceRequest;
  user: UserInfo;
  body: RequestBody;
  accept: string | undefined;
}

const READS = new Set(['get', 'list']);

/** RBAC decides before routing, as the real filter chain does: a denied call to a kind nobody serves is 403, not 404. */
function authorize(edge: Edge, info: ResourceRequest, user: UserInfo): void {
  const attributes = attributesOf(info);
  const allowed = isAllowed(edge.ctx, user, attributes);
  edge.calls.record(user.username, attributes, allowed);
  if (!allowed) throw forbiddenFor(user, attributes);
}

function serveResource(edge: Edge, { info, user, body, accept }: Incoming, res: ServerResponse): Reply | undefined {
  authorize(edge, info, user);
  const def = edge.ctx.registry.find(info.group, info.version, info.resource);
  if (!def && edge.ctx.registry.inGroupVersion(info.group, info.version).length === 0) throw new PageNotFound();
  if (!def) throw pathNotFound();
  if (info.verb === 'watch') {
    const stream = { res, timing: edge.timing, open: edge.watches, caller: user.username };
    serveWatch(edge.ctx, { def, namespace: info.namespace, query: info.query }, stream);
    return undefined;
  }
  const reply = handleResource({ ctx: edge.ctx, def, req: info, body }, edge.subresources);
  const table = READS.has(info.verb) && reply.status === 200 ? tableVersionAsked(accept) : undefined;
  return table ? toTable(def, reply, { version: table, query: info.query, now: edge.ctx.now() }) : reply;
}

async function serve(edge: Edge, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const info = parseRequest(req.method ?? 'GET', req.url ?? '/');
  const text = await readBody(req);
  const user = authenticate(edge, req);
  if (info.kind === 'resource') edge.accounting.record(info.verb, info.resource, info.subresource, user.username);
  const { dropWatch, loseResponse } = await applyFaults(edge, info, user.username);
  if (info.kind === 'nonresource') {
    const reply = edge.discovery(info, req.headers.accept ?? 'application/json');
    if (!reply) throw new PageNotFound();
    send(res, reply);
    return;
  }
  const body: RequestBody = { json: decodeText(text, req.method, req.headers['content-type']), contentType: req.headers['content-type'], present: text.length > 0 };
  const reply = serveResource(edge, { info, user, body, accept: req.headers.accept }, res);
  answer(res, reply, { dropWatch, loseResponse });
}

/** Sends the reply, unless a fault loses it; a watch (no reply) is cut when a fault drops it. */
function answer(res: ServerResponse, reply: Reply | undefined, faults: { dropWatch: boolean; loseResponse: boolean }): void {
  if (reply === undefined ? faults.dropWatch : faults.loseResponse) res.destroy();
  else if (reply) send(res, reply);
}

/** The request listener for `http.createServer`. */
export function requestListener(edge: Edge): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    res.on('finish', () => edge.ctx.log.debug({ method: req.method, url: req.url, status: res.statusCode }, 'request'));
    serve(edge, req, res).catch((e: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const reply = statusReply(e);
      if (reply.status >= 500 && !(e instanceof KubeStatusError)) edge.ctx.log.error({ err: e, url: req.url }, 'request failed');
      send(res, reply);
    });
  };
}
