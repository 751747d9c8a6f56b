/**
 * Dispatch of a resource request to get/list/create/update/patch/delete/deletecollection, with the
 * subresources that are not plain status writes (eviction, token) delegated to their own modules.
 */
import type { ApiContext, WriteOptions } from './context.js';
import { getObject, replaceObject, createObject, updateObject, type UpdateRequest, type WriteResult } from './crud.js';
import { decodeProblem } from './decode-checks.js';
import { decodeDeleteOptions, dryRunCauses, type DeleteInput } from './delete-options.js';
import type { Obj } from './json.js';
import { deleteByName, deleteObject } from './lifecycle.js';
import { listObjects, selectionOf, selectObjects } from './list.js';
import { applyPatch, patchKindOf } from './patch.js';
import { present, toStored, listOf } from './present.js';
import type { ResourceRequest } from './request-info.js';
import type { ResourceDef } from './resources.js';
import { KubeStatusError, failure, invalid, methodNotAllowed, pathNotFound } from './status.js';

export interface Reply {
  status: number;
  body: Obj;
  warnings?: string[];
  contentType?: string;
  /** A body that is not JSON (then `body` is ignored). */
  text?: string;
  raw?: Buffer;
}

export interface RequestBody {
  json: unknown;
  contentType: string | undefined;
  /** The request had a non-empty body (a DELETE then takes its options from the body only). */
  present: boolean;
}

/** Handlers for subresources with their own semantics (`pods/eviction`, `serviceaccounts/token`, …). */
export type SubresourceHandler = (ctx: ApiContext, def: ResourceDef, req: ResourceRequest, body: RequestBody) => Reply;

const FIELD_VALIDATION = ['', 'Ignore', 'Warn', 'Strict'];
const OPTIONS_KIND: Record<string, string> = { create: 'CreateOptions', update: 'UpdateOptions', patch: 'PatchOptions' };

/** Create/update/patch options from the query, validated as the real handlers do (422 for unsupported values). */
export function writeOptions(query: URLSearchParams, verb = 'create'): WriteOptions {
  const dryRun = query.getAll('dryRun');
  const fieldValidation = query.get('fieldValidation') ?? '';
  const causes = dryRunCauses(dryRun);
  if (!FIELD_VALIDATION.includes(fieldValidation)) {
    causes.push({ reason: 'FieldValueNotSupported', message: `Unsupported value: ${JSON.stringify(fieldValidation)}: supported values: "", "Ignore", "Strict", "Warn"`, field: 'fieldValidation' });
  }
  if (causes.length > 0) throw invalid(OPTIONS_KIND[verb] ?? 'CreateOptions', '', causes, 'meta.k8s.io');
  return { dryRun: dryRun.length > 0, strict: fieldValidation === 'Strict', warnUnknown: fieldValidation !== 'Ignore' };
}

const deleteInput = (req: ResourceRequest, body: RequestBody): DeleteInput => ({ query: req.query, body: body.present ? body.json : undefined });

/** One resource request on its way through the handlers. */
export interface Call {
  ctx: ApiContext;
  def: ResourceDef;
  req: ResourceRequest;
  body: RequestBody;
}

const withWarnings = (status: number, def: ResourceDef, r: WriteResult): Reply => ({ status, body: present(def, r.obj), warnings: r.warnings });

function patchInvalid(patched: Obj, problem: string): KubeStatusError {
  const message = `Invalid value: "${JSON.stringify(patched).replaceAll('"', '\\"')}": ${problem}`;
  return new KubeStatusError(
    422,
    failure(422, ` "" is invalid: patch: ${message}`, 'Invalid', { causes: [{ reason: 'FieldValueInvalid', message, field: 'patch' }] }),
  );
}

function updateRequest(req: ResourceRequest): UpdateRequest {
  return { ns: req.namespace, name: req.name ?? '', subresource: req.subresource, opts: writeOptions(req.query, req.verb) };
}

function patch({ ctx, def, req, body }: Call): Reply {
  const kind = patchKindOf(body.contentType);
  const old = getObject(ctx, def, req.namespace, req.name ?? '');
  const patched = applyPatch(kind, present(def, old), body.json);
  const problem = decodeProblem(def, patched);
  if (problem) throw patchInvalid(patched, problem);
  return withWarnings(200, def, replaceObject(ctx, def, updateRequest(req), toStored(def, patched)));
}

function deleteCollection({ ctx, def, req, body }: Call): Reply {
  if (def.namespaced && req.namespace === undefined) throw methodNotAllowed();
  const opts = decodeDeleteOptions(deleteInput(req, body));
  const items = selectObjects(ctx, def, req.namespace, selectionOf(def, req.query));
  const listed = listOf(def, items, { resourceVersion: String(ctx.store.currentRv()) });
  for (const o of items) deleteObject(ctx, def, o, opts);
  return { status: 200, body: listed };
}

function create({ ctx, def, req, body }: Call): Reply {
  if (req.name !== undefined) throw methodNotAllowed();
  return withWarnings(201, def, createObject(ctx, def, { ns: req.namespace, body: body.json }, writeOptions(req.query)));
}

function update({ ctx, def, req, body }: Call): Reply {
  const existed = ctx.store.get(def.storage, def.namespaced ? (req.namespace ?? '') : '', req.name ?? '') !== undefined;
  return withWarnings(existed ? 200 : 201, def, updateObject(ctx, def, updateRequest(req), body.json));
}

function remove({ ctx, def, req, body }: Call): Reply {
  const target = { ns: req.namespace, name: req.name ?? '' };
  return { status: 200, body: deleteByName(ctx, def, target, decodeDeleteOptions(deleteInput(req, body))) };
}

const VERBS: Record<string, (c: Call) => Reply> = {
  get: ({ ctx, def, req }) => ({ status: 200, body: present(def, getObject(ctx, def, req.namespace, req.name ?? '')) }),
  list: ({ ctx, def, req }) => ({ status: 200, body: listObjects(ctx, def, req.namespace, req.query) }),
  create,
  update,
  patch,
  delete: remove,
  deletecollection: deleteCollection,
};

const PLAIN_SUBRESOURCES = new Set([undefined, 'status']);

export function handleResource(call: Call, subresources: Map<string, SubresourceHandler>): Reply {
  const { def, req } = call;
  const special = subresources.get(`${def.storage}/${req.subresource ?? ''}`);
  if (special) return special(call.ctx, def, req, call.body);
  if (!PLAIN_SUBRESOURCES.has(req.subresource) || (req.subresource === 'status' && !def.hasStatus)) throw pathNotFound();
  const handler = VERBS[req.verb];
  if (!handler) throw methodNotAllowed();
  return handler(call);
}
