/**
 * The write path shared by create, update and patch: decode checks, metadata stamping, the status
 * subresource split, generation, optimistic concurrency, no-op detection, admission, dry-run.
 */
import { timestamp, type ApiContext, type WriteOptions } from './context.js';
import { applyCreateDefaults, normaliseStatus, withTemplateGeneration } from './defaults.js';
import { isObj, jsonEqual, metaOf, nameOf, strAt, type Obj } from './json.js';
import { toStored } from './present.js';
import type { ResourceDef } from './resources.js';
import { alreadyExists, badRequest, conflict, forbidden, invalid, notFound, qualified } from './status.js';
import { decodeProblem } from './decode-checks.js';
import { finishDeletionIfReleased } from './lifecycle.js';
import { unknownFields } from './known-fields.js';

export interface WriteResult {
  obj: Obj;
  warnings: string[];
}

const ALLOW_CREATE_ON_UPDATE = new Set(['leases', 'events', 'endpoints']);
const IMMUTABLE_META = ['uid', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'name', 'namespace'];

const gvkLabel = (def: ResourceDef): string => `${def.kind} in version "${def.version}" cannot be handled as a ${def.kind}`;

/** The request body as an object of this kind, or a 400 exactly like the real decoder's. */
export function decodeBody(def: ResourceDef, body: unknown): Obj {
  if (body === undefined || body === null) {
    throw badRequest(
      `the object provided is unrecognized (must be of type ${def.kind}): couldn't get version/kind; json parse error: unexpected end of JSON input (<empty>)`,
    );
  }
  if (!isObj(body)) throw badRequest(`${gvkLabel(def)}: the body is not a JSON object`);
  const kind = strAt(body, 'kind');
  if (kind !== undefined && kind !== def.kind) {
    throw badRequest(`the object provided is unrecognized (must be of type ${def.kind}): kind ${kind}`);
  }
  const problem = decodeProblem(def, body);
  if (problem) throw badRequest(`${gvkLabel(def)}: ${problem}`);
  return body;
}

/** Server-side field validation: 400 under Strict, Warnings under Warn (the default), nothing under Ignore. */
function fieldWarnings(def: ResourceDef, obj: Obj, opts: WriteOptions): string[] {
  const list = unknownFields(def, obj).map((f) => `unknown field "${f}"`);
  if (list.length === 0) return [];
  if (opts.strict) throw badRequest(`${gvkLabel(def)}: strict decoding error: ${list.join(', ')}`);
  return opts.warnUnknown ? list : [];
}

function checkNamespace(def: ResourceDef, ns: string | undefined, obj: Obj): void {
  const bodyNs = strAt(metaOf(obj), 'namespace');
  if (def.namespaced && bodyNs && ns && bodyNs !== ns) {
    throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
}

function nameFor(ctx: ApiContext, def: ResourceDef, obj: Obj): string {
  const meta = metaOf(obj);
  const name = strAt(meta, 'name');
  if (name) return name;
  const generate = strAt(meta, 'generateName');
  if (generate) return `${generate}${ctx.newUid().slice(0, 5)}`;
  throw invalid(def.kind, '', [{ reason: 'FieldValueRequired', message: 'Required value: name or generateName is required', field: 'metadata.name' }]);
}

function runAdmission(ctx: ApiContext, def: ResourceDef, candidate: { obj: Obj; old: Obj | undefined }, opts: WriteOptions): WriteResult {
  let cur = candidate.obj;
  const warnings: string[] = [];
  for (const hook of ctx.admission) {
    const r = hook(def, cur, candidate.old, opts);
    cur = r.obj;
    warnings.push(...r.warnings);
  }
  return { obj: cur, warnings };
}

/** The namespace must exist and not be terminating (NamespaceLifecycle admission). */
function requireNamespace(ctx: ApiContext, def: ResourceDef, ns: string | undefined, name: string): void {
  if (!def.namespaced || ns === undefined) return;
  const namespace = ctx.store.get('/namespaces', '', ns);
  if (!namespace) throw notFound({ group: '', plural: 'namespaces' }, ns);
  if (metaOf(namespace)['deletionTimestamp'] === undefined) return;
  const message = `${qualified(def)} "${name}" is forbidden: unable to create new content in namespace ${ns} because it is being terminated`;
  throw forbidden(message, { name, ...(def.group ? { group: def.group } : {}), kind: def.plural });
}

export interface CreateInput {
  ns: string | undefined;
  body: unknown;
}

export function createObject(ctx: ApiContext, def: ResourceDef, input: CreateInput, opts: WriteOptions): WriteResult {
  const { ns, body } = input;
  const incoming = toStored(def, decodeBody(def, body));
  const unknown = fieldWarnings(def, incoming, opts);
  checkNamespace(def, ns, incoming);
  const name = nameFor(ctx, def, incoming);
  requireNamespace(ctx, def, ns, name);
  const meta: Obj = { ...metaOf(incoming), name, uid: ctx.newUid(), creationTimestamp: timestamp(ctx.now()) };
  if (def.namespaced) meta['namespace'] = ns ?? 'default';
  else delete meta['namespace'];
  for (const k of ['resourceVersion', 'deletionTimestamp', 'deletionGracePeriodSeconds']) delete meta[k];
  if (def.hasGeneration || def.custom) meta['generation'] = 1;
  const candidate = withTemplateGeneration(def, applyCreateDefaults(def, { ...incoming, metadata: meta }), undefined);
  const admitted = runAdmission(ctx, def, { obj: candidate, old: undefined }, opts);
  if (ctx.store.get(def.storage, def.namespaced ? String(meta['namespace']) : '', name)) throw alreadyExists(def, name);
  if (opts.dryRun) return { ...admitted, warnings: [...unknown, ...admitted.warnings] };
  return { obj: ctx.store.put(def.storage, admitted.obj), warnings: [...unknown, ...admitted.warnings] };
}

function splitStatus(def: ResourceDef, old: Obj, incoming: Obj, subresource: string | undefined): Obj {
  if (subresource === 'status') {
    return { ...old, metadata: incoming['metadata'], status: incoming['status'] };
  }
  if (!def.hasStatus) return incoming;
  const out: Obj = { ...incoming };
  if (old['status'] === undefined) delete out['status'];
  else out['status'] = old['status'];
  return out;
}

function carryImmutableMeta(old: Obj, obj: Obj): Obj {
  const meta: Obj = { ...metaOf(obj) };
  const oldMeta = metaOf(old);
  for (const k of IMMUTABLE_META) {
    if (oldMeta[k] === undefined) delete meta[k];
    else meta[k] = oldMeta[k];
  }
  return { ...obj, metadata: meta };
}

const specPart = (o: Obj): Obj => {
  const { metadata: _m, status: _s, ...rest } = o;
  return rest;
};

function withGeneration(def: ResourceDef, old: Obj, obj: Obj): Obj {
  if (!def.hasGeneration && !def.custom) return obj;
  const gen = Number(metaOf(old)['generation'] ?? 1);
  const changed = !jsonEqual(specPart(old), specPart(obj));
  return { ...obj, metadata: { ...metaOf(obj), generation: changed ? gen + 1 : gen } };
}

export interface UpdateRequest {
  ns: string | undefined;
  name: string;
  subresource: string | undefined;
  opts: WriteOptions;
}

function checkIdentity(def: ResourceDef, req: UpdateRequest, incoming: Obj): void {
  if (nameOf(incoming) !== req.name) {
    throw badRequest(`the name of the object (${nameOf(incoming)}) does not match the name on the URL (${req.name})`);
  }
  checkNamespace(def, req.ns, incoming);
}

function nextVersion(def: ResourceDef, old: Obj, incoming: Obj, subresource: string | undefined): Obj {
  const rv = strAt(metaOf(incoming), 'resourceVersion');
  if (rv && rv !== strAt(metaOf(old), 'resourceVersion')) throw conflict(def, nameOf(old));
  const next = carryImmutableMeta(old, splitStatus(def, old, incoming, subresource));
  return withGeneration(def, old, { ...next, metadata: { ...metaOf(next), resourceVersion: metaOf(old)['resourceVersion'] } });
}

/** PUT semantics on an already-decoded object (also the tail of PATCH). */
export function replaceObject(ctx: ApiContext, def: ResourceDef, req: UpdateRequest, incoming: Obj): WriteResult {
  checkIdentity(def, req, incoming);
  const unknown = fieldWarnings(def, incoming, req.opts);
  const old = ctx.store.get(def.storage, def.namespaced ? (req.ns ?? '') : '', req.name);
  if (!old) {
    if (ALLOW_CREATE_ON_UPDATE.has(def.plural) && req.subresource === undefined) return createObject(ctx, def, { ns: req.ns, body: incoming }, req.opts);
    throw notFound(def, req.name);
  }
  const next = withTemplateGeneration(def, normaliseStatus(def, nextVersion(def, old, incoming, req.subresource)), old);
  const admitted = runAdmission(ctx, def, { obj: next, old }, req.opts);
  const warnings = [...unknown, ...admitted.warnings];
  if (req.opts.dryRun) return { obj: admitted.obj, warnings };
  if (jsonEqual(admitted.obj, old)) return { obj: old, warnings };
  const stored = ctx.store.put(def.storage, admitted.obj);
  return { obj: finishDeletionIfReleased(ctx, def, stored), warnings };
}

export function updateObject(ctx: ApiContext, def: ResourceDef, req: UpdateRequest, body: unknown): WriteResult {
  return replaceObject(ctx, def, req, toStored(def, decodeBody(def, body)));
}

export function getObject(ctx: ApiContext, def: ResourceDef, ns: string | undefined, name: string): Obj {
  const obj = ctx.store.get(def.storage, def.namespaced ? (ns ?? '') : '', name);
  if (!obj) throw notFound(def, name);
  return obj;
}
