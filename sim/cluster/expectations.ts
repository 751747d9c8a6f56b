/**
 * What a controller just wrote but its informer has not shown yet. Without it, a reconcile that runs
 * before the watch catches up would create a second pod for the same node. Entries end when the cache
 * shows the write, or after a deadline.
 */
import type { V1Pod } from '@kubernetes/client-node';

const key = (pod: V1Pod): string => `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`;

export class PodExpectations {
  private readonly created = new Map<string, { pod: V1Pod; until: number }>();
  private readonly deleted = new Map<string, number>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly ttlMs = 30_000,
  ) {}

  expectCreated(pod: V1Pod): void {
    this.created.set(key(pod), { pod, until: this.now() + this.ttlMs });
  }

  expectDeleted(pod: V1Pod): void {
    this.deleted.set(key(pod), this.now() + this.ttlMs);
  }

  /**
   * The cached pods (pass the whole cache, or a whole namespace of it) amended with pending writes:
   * created ones added, deleted ones shown terminating; then narrowed to the pods `wanted` selects.
   */
  view(cached: readonly V1Pod[], wanted: (pod: V1Pod) => boolean = () => true): V1Pod[] {
    return this.amended(cached, cached.filter(wanted), wanted);
  }

  /**
   * As `view`, for pods the caller already narrowed to the ones `wanted` selects (an index by owner): only the
   * pending creations are narrowed here. A created pod is seen once the cache shows it under its owner.
   */
  viewNarrowed(narrowed: readonly V1Pod[], wanted: (pod: V1Pod) => boolean): V1Pod[] {
    return this.amended(narrowed, narrowed, wanted);
  }

  private amended(cached: readonly V1Pod[], selected: readonly V1Pod[], wanted: (pod: V1Pod) => boolean): V1Pod[] {
    const now = this.now();
    if (this.created.size > 0) {
      const seen = new Set(cached.map(key));
      for (const [k, e] of this.created) if (seen.has(k) || e.until < now) this.created.delete(k);
    }
    const out = this.deleted.size === 0 ? [...selected] : selected.map((pod) => this.amend(pod, now));
    for (const e of this.created.values()) if (wanted(e.pod)) out.push(e.pod);
    return out;
  }

  private amend(pod: V1Pod, now: number): V1Pod {
    if (this.deleted.size === 0) return pod;
    const until = this.deleted.get(key(pod));
    if (until === undefined) return pod;
    if (pod.metadata?.deletionTimestamp !== undefined || until < now) {
      this.deleted.delete(key(pod));
      return pod;
    }
    return { ...pod, metadata: { ...pod.metadata, deletionTimestamp: new Date(now) } };
  }
}
