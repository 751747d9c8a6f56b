/**
 * Namespaces: every new namespace gets its `default` ServiceAccount (as the ServiceAccount controller
 * does). Deleting one marks it Terminating; the namespace controller then deletes everything in it as
 * an ordinary DELETE would (a pod bound to a node goes Terminating and waits for its kubelet; an object
 * with finalizers waits for them), says in the namespace's conditions what remains, and removes the
 * namespace when nothing does.
 */
import { timestamp, type ApiContext } from './context.js';
import { arrAt, metaOf, nameOf, namespaceOf, objAt, withMeta, type Obj } from './json.js';
import { deleteObject } from './lifecycle.js';
import { present } from './present.js';
import type { ResourceDef } from './resources.js';
import type { StoredEvent } from './store.js';

export const NAMESPACE_STORAGE = '/namespaces';

const isTerminating = (o: Obj | undefined): boolean => o !== undefined && metaOf(o)['deletionTimestamp'] !== undefined;

interface Remaining {
  /** `pods.` or `deployments.apps` → how many objects remain. */
  counts: Map<string, number>;
  /** finalizer → how many objects carry it. */
  finalizers: Map<string, number>;
}

const bump = (m: Map<string, number>, key: string): Map<string, number> => m.set(key, (m.get(key) ?? 0) + 1);

/** Delete what is still live in `ns`; count what remains. */
function deleteContent(ctx: ApiContext, ns: string): Remaining {
  const remaining: Remaining = { counts: new Map(), finalizers: new Map() };
  const seen = new Set<string>();
  for (const def of ctx.registry.all()) {
    if (!def.namespaced || seen.has(def.storage)) continue;
    seen.add(def.storage);
    for (const o of ctx.store.list(def.storage, { namespace: ns })) {
      if (!isTerminating(o)) deleteObject(ctx, def, o, { dryRun: false });
      const left = ctx.store.get(def.storage, ns, nameOf(o));
      if (!left) continue;
      bump(remaining.counts, `${def.plural}.${def.group}`);
      for (const f of arrAt(metaOf(left), 'finalizers')) bump(remaining.finalizers, String(f));
    }
  }
  return remaining;
}

const summary = (m: Map<string, number>, unit: string): string =>
  [...m.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, n]) => `${k} has ${n} ${unit}`).join(', ');

function conditions(r: Remaining, at: string): Obj[] {
  const c = (type: string, status: string, reason: string, message: string): Obj => ({ type, status, lastTransitionTime: at, reason, message });
  return [
    c('NamespaceDeletionDiscoveryFailure', 'False', 'ResourcesDiscovered', 'All resources successfully discovered'),
    c('NamespaceDeletionGroupVersionParsingFailure', 'False', 'ParsedGroupVersions', 'All legacy kube types successfully parsed'),
    c('NamespaceDeletionContentFailure', 'False', 'ContentDeleted', 'All content successfully deleted, may be waiting on finalization'),
    r.counts.size > 0
      ? c('NamespaceContentRemaining', 'True', 'SomeResourcesRemain', `Some resources are remaining: ${summary(r.counts, 'resource instances')}`)
      : c('NamespaceContentRemaining', 'False', 'ContentRemoved', 'All content successfully removed'),
    r.finalizers.size > 0
      ? c('NamespaceFinalizersRemaining', 'True', 'SomeFinalizersRemain', `Some content in the namespace has finalizers remaining: ${summary(r.finalizers, 'resource instances')}`)
      : c('NamespaceFinalizersRemaining', 'False', 'ContentHasNoFinalizers', 'All content-preserving finalizers finished'),
  ];
}

/** One pass of the namespace controller over a Terminating namespace. */
function sweep(ctx: ApiContext, ns: string): void {
  const namespace = ctx.store.get(NAMESPACE_STORAGE, '', ns);
  if (!isTerminating(namespace) || !namespace) return;
  const remaining = deleteContent(ctx, ns);
  if (remaining.counts.size === 0) {
    ctx.store.remove(NAMESPACE_STORAGE, '', ns);
    return;
  }
  const status = objAt(namespace, 'status');
  const previous = arrAt(status, 'conditions');
  const next = conditions(remaining, timestamp(ctx.now()));
  const same = JSON.stringify(previous.map((x) => ({ ...(x as Obj), lastTransitionTime: '' }))) === JSON.stringify(next.map((x) => ({ ...x, lastTransitionTime: '' })));
  if (!same) ctx.store.put(NAMESPACE_STORAGE, { ...namespace, status: { ...status, conditions: next } });
}

export function observeNamespace(ctx: ApiContext, storage: string, ev: StoredEvent): void {
  if (storage !== NAMESPACE_STORAGE) {
    const ns = namespaceOf(ev.object);
    if (ev.type === 'DELETED' && ns !== '' && isTerminating(ctx.store.get(NAMESPACE_STORAGE, '', ns))) setImmediate(() => sweep(ctx, ns));
    return;
  }
  if (ev.type !== 'ADDED') return;
  const ns = nameOf(ev.object);
  if (ctx.store.get('/serviceaccounts', ns, 'default')) return;
  ctx.store.put('/serviceaccounts', { metadata: { name: 'default', namespace: ns, uid: ctx.newUid(), creationTimestamp: timestamp(ctx.now()) } });
}

export function deleteNamespace(ctx: ApiContext, def: ResourceDef, ns: Obj): Obj {
  if (isTerminating(ns)) return present(def, ns);
  const marked = withMeta({ ...ns, status: { ...objAt(ns, 'status'), phase: 'Terminating' } }, { deletionTimestamp: timestamp(ctx.now()) });
  const stored = ctx.store.put(def.storage, marked);
  setImmediate(() => sweep(ctx, nameOf(ns)));
  return present(def, stored);
}
