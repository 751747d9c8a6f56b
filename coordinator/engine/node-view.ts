/**
 * The freshest known copy of each Node: the watch cache, overlaid with what this engine just wrote (the
 * API's reply to its own patch), until the watch catches up. Without it a reconcile right after a write
 * would read the old phase and decide the same step twice.
 */
import type { V1Node } from '@kubernetes/client-node';
import type { ObservedNode } from '../core/observed-objects.js';
import { projectNode } from '../kube/projections.js';
import type { Watched } from '../kube/watched.js';
import { sortNatural } from '../../shared/natural-order.js';

/** Compares resourceVersions when both are integers (etcd's); otherwise treats `a` as not older. */
export function isOlder(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b || !/^\d+$/.test(a) || !/^\d+$/.test(b)) return false;
  return BigInt(a) < BigInt(b);
}

export class NodeView {
  private readonly written = new Map<string, ObservedNode>();
  /** The names in natural order, sorted again only when a node came or went (not per pass). */
  private sorted: string[] | undefined;
  private readonly known = new Set<string>();
  private version = 0;

  constructor(private readonly cache: Watched<ObservedNode>) {
    cache.onChange((n) => {
      this.version += 1;
      const name = n.metadata?.name;
      if (name === undefined) return;
      const present = cache.get(name) !== undefined;
      if (present !== this.known.has(name)) this.sorted = undefined;
    });
  }

  get(name: string): ObservedNode | undefined {
    const cached = this.cache.get(name);
    const mine = this.written.get(name);
    if (!mine) return cached;
    if (!cached || isOlder(cached.metadata?.resourceVersion, mine.metadata?.resourceVersion)) return mine;
    this.written.delete(name);
    return cached;
  }

  names(): string[] {
    if (this.sorted === undefined || [...this.written.keys()].some((n) => !this.known.has(n))) {
      const names = new Set(this.cache.list().map((n) => n.metadata?.name ?? ''));
      for (const n of this.written.keys()) names.add(n);
      names.delete('');
      this.known.clear();
      names.forEach((n) => this.known.add(n));
      this.sorted = sortNatural(names);
    }
    return this.sorted;
  }

  /** Records the API's reply to this engine's write, as the watch would keep it (a reply older than one already recorded is ignored). */
  wrote(node: V1Node): void {
    const name = node.metadata?.name;
    if (!name) return;
    const before = this.written.get(name);
    if (before && isOlder(node.metadata?.resourceVersion, before.metadata?.resourceVersion)) return;
    this.written.set(name, projectNode(node));
    this.version += 1;
  }

  /** Whether `node` is the very version this engine's last write of it returned (the watch's echo of that write). */
  isOwnWrite(node: ObservedNode): boolean {
    const rv = node.metadata?.resourceVersion;
    return rv !== undefined && this.written.get(node.metadata?.name ?? '')?.metadata?.resourceVersion === rv;
  }

  /** Changes with every Node the watch or this engine's writes bring: equal means nothing changed since. */
  changes(): number {
    return this.version;
  }
}
