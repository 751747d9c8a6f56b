/**
 * Namespaces: every new namespace gets its `default` ServiceAccount (as the ServiceAccount controller
 * does); deleting one marks it Terminating, then removes everything in it and the namespace itself.
 */
import { timestamp, type ApiContext } from './context.js';
import { nameOf, objAt, withMeta, type Obj } from './json.js';
import { present } from './present.js';
import type { ResourceDef } from './resources.js';
import type { StoredEvent } from './store.js';

export const NAMESPACE_STORAGE = '/namespaces';

export function observeNamespace(ctx: ApiContext, storage: string, ev: StoredEvent): void {
  if (storage !== NAMESPACE_STORAGE || ev.type !== 'ADDED') return;
  const ns = nameOf(ev.object);
  if (ctx.store.get('/serviceaccounts', ns, 'default')) return;
  ctx.store.put('/serviceaccounts', { metadata: { name: 'default', namespace: ns, uid: ctx.newUid(), creationTimestamp: timestamp(ctx.now()) } });
}

function purge(ctx: ApiContext, nsDef: ResourceDef, ns: string): void {
  const storages = new Set(ctx.registry.all().filter((d) => d.namespaced).map((d) => d.storage));
  for (const storage of storages) {
    for (const o of ctx.store.list(storage, { namespace: ns })) ctx.store.remove(storage, ns, nameOf(o));
  }
  ctx.store.remove(nsDef.storage, '', ns);
}

export function deleteNamespace(ctx: ApiContext, def: ResourceDef, ns: Obj): Obj {
  const marked = withMeta({ ...ns, status: { ...objAt(ns, 'status'), phase: 'Terminating' } }, { deletionTimestamp: timestamp(ctx.now()) });
  const stored = ctx.store.put(def.storage, marked);
  setImmediate(() => purge(ctx, def, nameOf(ns)));
  return present(def, stored);
}
