/**
 * Owner-reference garbage collection (background propagation): when an owner is removed, dependents
 * whose owners are all gone are deleted (pods gracefully, like any other delete).
 */
import type { ApiContext } from './context.js';
import { arrAt, isObj, metaOf, nameOf, namespaceOf, strAt, uidOf, withMeta, type Obj } from './json.js';
import { deleteObject } from './lifecycle.js';
import type { StoredEvent } from './store.js';

interface DependentRef {
  storage: string;
  ns: string;
  name: string;
}

const ownerUids = (o: Obj | undefined): string[] =>
  o ? arrAt(metaOf(o), 'ownerReferences').flatMap((r) => (isObj(r) && typeof r['uid'] === 'string' ? [r['uid']] : [])) : [];

const refKey = (r: DependentRef): string => `${r.storage}\u0000${r.ns}\u0000${r.name}`;

export class GarbageCollector {
  /** owner uid -> dependents */
  private readonly dependents = new Map<string, Map<string, DependentRef>>();
  /** uids of live objects */
  private readonly live = new Set<string>();
  private pending = new Set<string>();
  private scheduled: NodeJS.Immediate | undefined;

  constructor(private readonly ctx: ApiContext) {}

  observe(storage: string, ev: StoredEvent): void {
    const ref: DependentRef = { storage, ns: namespaceOf(ev.object), name: nameOf(ev.object) };
    for (const uid of ownerUids(ev.previous)) this.dependents.get(uid)?.delete(refKey(ref));
    if (ev.type === 'DELETED') {
      this.live.delete(uidOf(ev.object));
      if (this.dependents.has(uidOf(ev.object))) this.schedule(uidOf(ev.object));
      return;
    }
    this.live.add(uidOf(ev.object));
    for (const uid of ownerUids(ev.object)) {
      let m = this.dependents.get(uid);
      if (!m) {
        m = new Map();
        this.dependents.set(uid, m);
      }
      m.set(refKey(ref), ref);
      if (!this.live.has(uid)) this.schedule(uid);
    }
  }

  /** Remove the owner reference to `ownerUid` from every dependent, so they outlive their owner. */
  orphan(ownerUid: string): void {
    for (const ref of [...(this.dependents.get(ownerUid)?.values() ?? [])]) {
      const obj = this.ctx.store.get(ref.storage, ref.ns, ref.name);
      if (!obj) continue;
      const kept = arrAt(metaOf(obj), 'ownerReferences').filter((r) => !(isObj(r) && r['uid'] === ownerUid));
      this.ctx.store.put(ref.storage, withMeta(obj, { ownerReferences: kept.length > 0 ? kept : undefined }));
    }
  }

  stop(): void {
    if (this.scheduled) clearImmediate(this.scheduled);
  }

  private schedule(ownerUid: string): void {
    this.pending.add(ownerUid);
    this.scheduled ??= setImmediate(() => this.collect());
  }

  private collect(): void {
    this.scheduled = undefined;
    const owners = this.pending;
    this.pending = new Set();
    for (const uid of owners) {
      if (this.live.has(uid)) continue;
      for (const ref of this.dependents.get(uid)?.values() ?? []) this.collectOne(ref);
    }
  }

  private collectOne(ref: DependentRef): void {
    const obj = this.ctx.store.get(ref.storage, ref.ns, ref.name);
    if (!obj || metaOf(obj)['deletionTimestamp'] !== undefined) return;
    if (ownerUids(obj).some((u) => this.live.has(u))) return;
    const def = this.ctx.registry.all().find((d) => d.storage === ref.storage);
    if (!def) return;
    try {
      deleteObject(this.ctx, def, obj, { dryRun: false });
    } catch (e) {
      this.ctx.log.warn({ err: e, object: `${ref.ns}/${ref.name}`, kind: strAt(obj, 'kind') }, 'garbage collection failed');
    }
  }
}
