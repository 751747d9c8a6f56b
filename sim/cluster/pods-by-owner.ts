/**
 * The cached pods by their controlling owner's uid, kept from the pod informer's events: a controller's reconcile
 * reads its own pods, not every pod of the namespace (a thousand-node cluster's kube-system holds thousands).
 */
import type { V1Pod } from '@kubernetes/client-node';
import type { Cache } from './informers.js';
import { controllerUid } from './placement.js';

const keyOf = (p: V1Pod): string => `${p.metadata?.namespace ?? ''}/${p.metadata?.name ?? ''}`;

export class PodsByOwner {
  private readonly byOwner = new Map<string, Map<string, V1Pod>>();
  private readonly ownerOf = new Map<string, string>();

  constructor(private readonly pods: Cache<V1Pod>) {
    const changed = (p: V1Pod): void => this.changed(p);
    pods.onChange(changed);
    pods.onDelete(changed);
    for (const p of pods.list()) this.changed(p);
  }

  /** The owner's pods, in the order the cache first saw them. */
  of(uid: string | undefined): V1Pod[] {
    const pods = uid === undefined ? undefined : this.byOwner.get(uid);
    return pods ? [...pods.values()] : [];
  }

  private changed(p: V1Pod): void {
    const key = keyOf(p);
    const current = this.pods.get(p.metadata?.name ?? '', p.metadata?.namespace);
    const owner = current ? controllerUid(current) : undefined;
    const before = this.ownerOf.get(key);
    if (before !== undefined && before !== owner) this.forget(key, before);
    if (current !== undefined && owner !== undefined) this.remember(key, owner, current);
  }

  private forget(key: string, owner: string): void {
    const pods = this.byOwner.get(owner);
    pods?.delete(key);
    if (pods?.size === 0) this.byOwner.delete(owner);
    this.ownerOf.delete(key);
  }

  private remember(key: string, owner: string, pod: V1Pod): void {
    let pods = this.byOwner.get(owner);
    if (!pods) {
      pods = new Map();
      this.byOwner.set(owner, pods);
    }
    pods.set(key, pod);
    this.ownerOf.set(key, owner);
  }
}
