/**
 * Deletion: graceful pod deletion (Terminating until a kubelet deletes with grace 0), finalizers,
 * objects that answer DELETE with themselves or with a Status, and kind-specific hooks (CRDs, namespaces).
 */
import { timestamp, type ApiContext } from './context.js';
import { arrAt, metaOf, nameOf, namespaceOf, objAt, strAt, uidOf, withMeta, type Obj } from './json.js';
import { present } from './present.js';
import type { ResourceDef } from './resources.js';
import { conflict, deletedStatus, notFound } from './status.js';

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  dryRun: boolean;
  preconditionUid?: string;
  preconditionRv?: string;
  /** `propagationPolicy: Orphan`: dependents lose the owner reference instead of being collected. */
  orphan?: boolean;
}

const hasFinalizers = (o: Obj): boolean => arrAt(metaOf(o), 'finalizers').length > 0;
const isTerminating = (o: Obj): boolean => metaOf(o)['deletionTimestamp'] !== undefined;

function podGrace(pod: Obj, requested: number | undefined): number {
  const spec = objAt(pod, 'spec');
  const phase = strAt(objAt(pod, 'status'), 'phase');
  if (!strAt(spec, 'nodeName') || phase === 'Succeeded' || phase === 'Failed') return 0;
  const fromSpec = spec['terminationGracePeriodSeconds'];
  const period = requested ?? (typeof fromSpec === 'number' ? fromSpec : 30);
  return period < 0 ? 1 : period;
}

function removeNow(ctx: ApiContext, def: ResourceDef, obj: Obj): Obj {
  const gone = ctx.store.remove(def.storage, namespaceOf(obj), nameOf(obj)) ?? obj;
  return def.returnsDeletedObject ? present(def, gone) : deletedStatus(def, nameOf(obj), uidOf(obj));
}

function markTerminating(ctx: ApiContext, def: ResourceDef, obj: Obj, grace: number): Obj {
  const remainingMs = isTerminating(obj) ? Date.parse(String(metaOf(obj)['deletionTimestamp'])) - ctx.now().getTime() : Infinity;
  if (grace * 1000 >= remainingMs) return present(def, obj);
  const at = new Date(ctx.now().getTime() + grace * 1000);
  const next = withMeta(obj, { deletionTimestamp: timestamp(at), deletionGracePeriodSeconds: grace });
  return present(def, ctx.store.put(def.storage, next));
}

/** Force-deleting a Terminating pod first records grace 0 (MODIFIED), then removes it (DELETED), as the real registry does. */
function deletePod(ctx: ApiContext, def: ResourceDef, pod: Obj, requested: number | undefined): Obj {
  const grace = podGrace(pod, requested);
  if (grace > 0 || hasFinalizers(pod)) return markTerminating(ctx, def, pod, grace);
  if (!isTerminating(pod)) {
    const gone = ctx.store.remove(def.storage, namespaceOf(pod), nameOf(pod)) ?? pod;
    return present(def, withMeta(gone, { deletionTimestamp: timestamp(ctx.now()), deletionGracePeriodSeconds: 0 }));
  }
  const shortened = ctx.store.put(def.storage, withMeta(pod, { deletionTimestamp: timestamp(ctx.now()), deletionGracePeriodSeconds: 0 }));
  return removeNow(ctx, def, shortened);
}

function checkPreconditions(def: ResourceDef, obj: Obj, opts: DeleteOptions): void {
  const uid = uidOf(obj);
  const rv = strAt(metaOf(obj), 'resourceVersion') ?? '';
  if (opts.preconditionUid && opts.preconditionUid !== uid) {
    throw conflict(def, nameOf(obj), `Precondition failed: UID in precondition: ${opts.preconditionUid}, UID in object meta: ${uid}`);
  }
  if (opts.preconditionRv && opts.preconditionRv !== rv) {
    throw conflict(def, nameOf(obj), `Precondition failed: ResourceVersion in precondition: ${opts.preconditionRv}, ResourceVersion in object meta: ${rv}`);
  }
}

/** DELETE of one object; answers what the real server answers for this kind. */
export function deleteObject(ctx: ApiContext, def: ResourceDef, obj: Obj, opts: DeleteOptions): Obj {
  checkPreconditions(def, obj, opts);
  if (opts.dryRun) return def.returnsDeletedObject ? present(def, obj) : deletedStatus(def, nameOf(obj), uidOf(obj));
  if (opts.orphan) ctx.orphanDependents(uidOf(obj));
  const hook = ctx.deleteHooks.get(def.storage);
  if (hook) return hook(ctx, def, obj);
  if (def.kind === 'Pod' && def.group === '') return deletePod(ctx, def, obj, opts.gracePeriodSeconds);
  if (hasFinalizers(obj)) {
    if (isTerminating(obj)) return present(def, obj);
    const generation = metaOf(obj)['generation'];
    const bumped = typeof generation === 'number' ? { generation: generation + 1 } : {};
    return present(def, ctx.store.put(def.storage, withMeta(obj, { deletionTimestamp: timestamp(ctx.now()), deletionGracePeriodSeconds: 0, ...bumped })));
  }
  return removeNow(ctx, def, obj);
}

/** Delete by name, 404 when absent. */
export function deleteByName(ctx: ApiContext, def: ResourceDef, target: { ns: string | undefined; name: string }, opts: DeleteOptions): Obj {
  const { ns, name } = target;
  const obj = ctx.store.get(def.storage, def.namespaced ? (ns ?? '') : '', name);
  if (!obj) throw notFound(def, name);
  return deleteObject(ctx, def, obj, opts);
}

/** After an update: a Terminating object whose last finalizer was just cleared goes away. */
export function finishDeletionIfReleased(ctx: ApiContext, def: ResourceDef, stored: Obj): Obj {
  if (!isTerminating(stored) || hasFinalizers(stored)) return stored;
  if (def.kind === 'Pod' && Number(metaOf(stored)['deletionGracePeriodSeconds'] ?? 1) > 0) return stored;
  return ctx.store.remove(def.storage, namespaceOf(stored), nameOf(stored)) ?? stored;
}
