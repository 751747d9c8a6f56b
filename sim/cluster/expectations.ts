/**
 * What a controller just wrote but its informer has not shown yet. Without it, a reconcile that runs
 * before the watch catches up would create a second pod for the same node. Entries end when the cache
 * shows the write, or after a deadline.
 */
import type { V1Pod } from '@kubernetes/client-node';

const key = (pod: V1Pod): string => `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`;
const nodeOf = (pod: V1Pod): string => pod.spec?.nodeName ?? '';

interface Pending {
  pod: V1Pod;
  until: number;
}

export class PodExpectations {
  private readonly created = new Map<string, Pending>();
  /** The created entries by the node their pod is bound to ('' for none). */
  private readonly createdOn = new Map<string, Map<string, Pending>>();
  private readonly deleted = new Map<string, Pending>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly ttlMs = 30_000,
  ) {}

  expectCreated(pod: V1Pod): void {
    this.dropCreated(key(pod));
    const entry = { pod, until: this.now() + this.ttlMs };
    this.created.set(key(pod), entry);
    let onNode = this.createdOn.get(nodeOf(pod));
    if (!onNode) {
      onNode = new Map();
      this.createdOn.set(nodeOf(pod), onNode);
    }
    onNode.set(key(pod), entry);
  }

  expectDeleted(pod: V1Pod): void {
    this.deleted.set(key(pod), { pod, until: this.now() + this.ttlMs });
  }

  /**
   * The create was refused or went unanswered: nothing to wait for (as kube-controller-manager's
   * CreationObserved on an error); the retry sees the node without the pod and creates it again.
   */
  creationFailed(pod: V1Pod): void {
    this.dropCreated(key(pod));
  }

  /** The pod left the cache: a deletion expected of it has nothing more to show. */
  forget(pod: V1Pod): void {
    this.deleted.delete(key(pod));
  }

  /** Drops the entries past their deadline and returns their pods (the views of their nodes change). */
  expire(): V1Pod[] {
    const now = this.now();
    const gone: V1Pod[] = [];
    for (const [k, e] of this.created) if (e.until < now && this.dropCreated(k)) gone.push(e.pod);
    for (const [k, e] of this.deleted) {
      if (e.until >= now) continue;
      this.deleted.delete(k);
      gone.push(e.pod);
    }
    return gone;
  }

  /**
   * The cached pods (pass the whole cache, or a whole namespace of it) amended with pending writes:
   * created ones added, deleted ones shown terminating; then narrowed to the pods `wanted` selects.
   */
  view(cached: readonly V1Pod[], wanted: (pod: V1Pod) => boolean = () => true): V1Pod[] {
    const now = this.now();
    if (this.created.size > 0) {
      const seen = new Set(cached.map(key));
      for (const [k, e] of this.created) if (seen.has(k) || e.until < now) this.dropCreated(k);
    }
    const out = cached.filter(wanted).map((pod) => this.amend(pod, now));
    for (const e of this.created.values()) if (wanted(e.pod)) out.push(e.pod);
    return out;
  }

  /**
   * As `view`, for one node: `cached` are the pods the cache holds there of the owner `wanted` selects. A pod
   * created on this node is seen once the cache shows it there.
   */
  viewOnNode(cached: readonly V1Pod[], node: string, wanted: (pod: V1Pod) => boolean): V1Pod[] {
    const now = this.now();
    const pending = this.createdOn.get(node);
    if (pending) {
      const seen = new Set(cached.map(key));
      for (const [k, e] of pending) if (seen.has(k) || e.until < now) this.dropCreated(k);
    }
    const out = this.deleted.size === 0 ? [...cached] : cached.map((pod) => this.amend(pod, now));
    for (const e of this.createdOn.get(node)?.values() ?? []) if (wanted(e.pod)) out.push(e.pod);
    return out;
  }

  /** A pod created and not yet shown by the cache. */
  createdPod(name: string, namespace: string): V1Pod | undefined {
    return this.created.get(`${namespace}/${name}`)?.pod;
  }

  private dropCreated(k: string): boolean {
    const e = this.created.get(k);
    if (!e) return false;
    this.created.delete(k);
    const onNode = this.createdOn.get(nodeOf(e.pod));
    onNode?.delete(k);
    if (onNode?.size === 0) this.createdOn.delete(nodeOf(e.pod));
    return true;
  }

  private amend(pod: V1Pod, now: number): V1Pod {
    if (this.deleted.size === 0) return pod;
    const until = this.deleted.get(key(pod))?.until;
    if (until === undefined) return pod;
    if (pod.metadata?.deletionTimestamp !== undefined || until < now) {
      this.deleted.delete(key(pod));
      return pod;
    }
    return { ...pod, metadata: { ...pod.metadata, deletionTimestamp: new Date(now) } };
  }
}
