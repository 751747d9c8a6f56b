/**
 * The Cilium pods by node, kept from the watch's events: a pass that steps a node reads that node's pods, not a
 * scan of every pod in the cluster for each node it steps.
 */
import type { ObservedPod } from '../core/observed-objects.js';
import type { Watched } from '../kube/watched.js';

const keyOf = (p: ObservedPod): string => `${p.metadata?.namespace ?? ''}/${p.metadata?.name ?? ''}`;
const NONE: readonly ObservedPod[] = [];

export class PodsByNode {
  private readonly byNode = new Map<string, Map<string, ObservedPod>>();
  private readonly nodeOf = new Map<string, string>();
  private readonly unsubscribe: () => void;

  constructor(private readonly watched: Watched<ObservedPod>) {
    this.unsubscribe = watched.onChange((p) => this.changed(p));
    for (const p of watched.list()) this.changed(p);
  }

  /** The node's pods, in the order the watch first saw them (as the cache lists them). */
  on(node: string): readonly ObservedPod[] {
    const pods = this.byNode.get(node);
    return pods ? [...pods.values()] : NONE;
  }

  stop(): void {
    this.unsubscribe();
  }

  private changed(p: ObservedPod): void {
    const key = keyOf(p);
    const current = this.watched.get(p.metadata?.name ?? '', p.metadata?.namespace);
    const node = current?.spec?.nodeName;
    const before = this.nodeOf.get(key);
    if (before !== undefined && before !== node) this.forget(key, before);
    if (current !== undefined && node !== undefined) this.remember(key, node, current);
  }

  private forget(key: string, node: string): void {
    const pods = this.byNode.get(node);
    pods?.delete(key);
    if (pods?.size === 0) this.byNode.delete(node);
    this.nodeOf.delete(key);
  }

  private remember(key: string, node: string, pod: ObservedPod): void {
    let pods = this.byNode.get(node);
    if (!pods) {
      pods = new Map();
      this.byNode.set(node, pods);
    }
    pods.set(key, pod);
    this.nodeOf.set(key, node);
  }
}
