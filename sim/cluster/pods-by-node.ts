/**
 * The cached pods by the node they are bound to, kept from the pod informer's events: a kubelet that reboots a node
 * reads that node's pods, not every pod of the cluster.
 */
import type { V1Pod } from '@kubernetes/client-node';
import type { Cache } from './informers.js';

const nameOf = (p: V1Pod): string => p.metadata?.name ?? '';
const keyOf = (p: V1Pod): string => `${p.metadata?.namespace ?? ''}/${nameOf(p)}`;

export class PodsByNode {
  private readonly byNode = new Map<string, Map<string, V1Pod>>();
  private readonly nodeOf = new Map<string, string>();

  constructor(private readonly pods: Cache<V1Pod>) {
    const changed = (p: V1Pod): void => this.changed(p);
    pods.onChange(changed);
    pods.onDelete(changed);
    for (const p of pods.list()) this.changed(p);
  }

  /** The pods bound to this node. */
  on(node: string): V1Pod[] {
    return [...(this.byNode.get(node)?.values() ?? [])];
  }

  private changed(p: V1Pod): void {
    const key = keyOf(p);
    const current = this.pods.get(nameOf(p), p.metadata?.namespace);
    const node = current?.spec?.nodeName;
    const before = this.nodeOf.get(key);
    if (before !== undefined && before !== node) this.leave(key, before);
    if (current !== undefined && node) this.enter(key, node, current);
  }

  private enter(key: string, node: string, current: V1Pod): void {
    let here = this.byNode.get(node);
    if (!here) {
      here = new Map();
      this.byNode.set(node, here);
    }
    here.set(key, current);
    this.nodeOf.set(key, node);
  }

  private leave(key: string, node: string): void {
    const here = this.byNode.get(node);
    here?.delete(key);
    if (here?.size === 0) this.byNode.delete(node);
    this.nodeOf.delete(key);
  }
}
