/**
 * Dispatch of a resource request to get/list/create/update/patch/delete/deletecollection, with the
 * subresources that are not plain status writes (eviction, token) delegated to their own modules.
 */
import { z } from 'zod';
import type { ApiContext, WriteOptions } from './context.js';
import { getObject, replaceObject, createObject, updateObject, type WriteResult } from './crud.js';
import { decodeProblem } from './decode-checks.js';
import { isObj, type Obj } from './json.js';
import { deleteByName, deleteObject, type DeleteOptions } from './lifecycle.js';
import { listObjects, selectionOf, selectObjects } from './list.js';
import { applyPatch, patchKindOf } from './patch.js';
import { present, toStored, listOf } from './present.js';
import type { ResourceRequest } from './request-info.js';
import type { ResourceDef } from './resources.js';
import { badRequest, KubeStatusError, failure, methodNotAllowed, pathNotFound } from './status.js';

export interface Reply {
  status: number;
  body: Obj;
  warnings?: string[];
  contentType?: string;
}

export interface RequestBody {
  json: unknown;
  contentType: string | undefined;
}

/** Handlers for subresources with their own semantics (`pods/eviction`, `serviceaccounts/token`, …). */
export type SubresourceHandler = (ctx: ApiContext, def: ResourceDef, req: ResourceRequest, body: RequestBody) => Reply;

export function writeOptions(query: URLSearchParams): WriteOptions {
  const dryRun = query.getAll('dryRun');
  if (dryRun.some((d) => d !== 'All')) throw badRequest(`Invalid dry run value: ${dryRun.join(',')}`);
  return { dryRun: dryRun.length > 0, strict: query.get('fieldValidation') === 'Strict' };
}

const deleteOptionsSchema = z
  .object({
    gracePeriodSeconds: z.number().int().nonnegative().nullish(),
    preconditions: z.object({ uid: z.string().nullish(), resourceVersion: z.string().nullish() }).nullish(),
    propagationPolicy: z.enum(['Orphan', 'Background', 'Foreground']).nullish(),
    dryRun: z.array(z.string()).nullish(),
  })
  .passthrough();

function deleteOptions(query: URLSearchParams, body: unknown): DeleteOptions {
  const parsed = deleteOptionsSchema.safeParse(isObj(body) ? body : {});
  if (!parsed.success) throw badRequest(`invalid DeleteOptions: ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}`);
  const b = parsed.data;
  const fromQuery = query.get('gracePeriodSeconds');
  const grace = fromQuery !== null ? Number(fromQuery) : (b.gracePeriodSeconds ?? undefined);
  if (grace !== undefined && (!Number.isInteger(grace) || grace < 0)) throw badRequest(`invalid gracePeriodSeconds: ${fromQuery}`);
  const opts: DeleteOptions = { dryRun: writeOptions(query).dryRun || (b.dryRun ?? []).includes('All') };
  if (grace !== undefined) opts.gracePeriodSeconds = grace;
  if (b.preconditions?.uid) opts.preconditionUid = b.preconditions.uid;
  if (b.preconditions?.resourceVersion) opts.preconditionRv = b.preconditions.resourceVersion;
  return opts;
}

const withWarnings = (status: number, def: ResourceDef, r: WriteResult): Reply => ({ status, body: present(def, r.obj), warnings: r.warnings });

function patchInvalid(patched: Obj, problem: string): KubeStatusError {
  const message = `Invalid value: "${JSON.stringify(patched).replaceAll('"', '\\"')}": ${problem}`;
  return new KubeStatusError(
    422,
    failure(422, ` "" is invalid: patch: ${message}`, 'Invalid', { causes: [{ reason: 'FieldValueInvalid', message, field: 'patch' }] }),
  );
}

function patch(ctx: ApiContext, def: ResourceDef, req: ResourceRequest, body: RequestBody): Reply {
  const kind = patchKindOf(body.contentType);
  const name = req.name ?? '';
  const old = getObject(ctx, def, req.namespace, name);
  const patched = applyPatch(kind, present(def, old), body.json);
  const problem = decodeProblem(def, patched);
  if (problem) throw patchInvalid(patched, problem);
  const r = replaceObject(ctx, def, { ns: req.namespace, name, subresource: req.subresource }, toStored(def, patched), writeOptions(req.query));
  return withWarnings(200, def, r);
}

function deleteCollection(ctx: ApiContext, def: ResourceDef, req: ResourceRequest, body: RequestBody): Reply {
  if (def.namespaced && req.namespace === undefined) throw methodNotAllowed();
  const opts = deleteOptions(req.query, body.json);
  const items = selectObjects(ctx, def, req.namespace, selectionOf(def, req.query));
  const listed = listOf(def, items, { resourceVersion: String(ctx.store.currentRv()) });
  for (const o of items) deleteObject(ctx, def, o, opts);
  return { status: 200, body: listed };
}

function create(ctx: ApiContext, def: ResourceDef, req: ResourceRequest, body: RequestBody): Reply {
  if (req.name !== undefined) throw methodNotAllowed();
  return withWarnings(201, def, createObject(ctx, def, req.namespace, body.json, writeOptions(req.query)));
}

function update(ctx: ApiContext, def: ResourceDef, req: ResourceRequest, body: RequestBody): Reply {
  const name = req.name ?? '';
  const existed = ctx.store.get(def.storage, def.namespaced ? (req.namespace ?? '') : '', name) !== undefined;
  const r = updateObject(ctx, def, { ns: req.namespace, name, subresource: req.subresource }, body.json, writeOptions(req.query));
  return withWarnings(existed ? 200 : 201, def, r);
}

const PLAIN_SUBRESOURCES = new Set([undefined, 'status']);

export function handleResource(
  ctx: ApiContext,
  def: ResourceDef,
  req: ResourceRequest,
  body: RequestBody,
  subresources: Map<string, SubresourceHandler>,
): Reply {
  const special = subresources.get(`${def.storage}/${req.subresource ?? ''}`);
  if (special) return special(ctx, def, req, body);
  if (!PLAIN_SUBRESOURCES.has(req.subresource) || (req.subresource === 'status' && !def.hasStatus)) throw pathNotFound();
  const name = req.name ?? '';
  switch (req.verb) {
    case 'get':
      return { status: 200, body: present(def, getObject(ctx, def, req.namespace, name)) };
    case 'list':
      return { status: 200, body: listObjects(ctx, def, req.namespace, req.query) };
    case 'create':
      return create(ctx, def, req, body);
    case 'update':
      return update(ctx, def, req, body);
    case 'patch':
      return patch(ctx, def, req, body);
    case 'delete':
      return { status: 200, body: deleteByName(ctx, def, req.namespace, name, deleteOptions(req.query, body.json)) };
    case 'deletecollection':
      return deleteCollection(ctx, def, req, body);
    default:
      throw methodNotAllowed();
  }
}
