import { describe, it, expect } from '@jest/globals';
import type { V1Pod } from '@kubernetes/client-node';
import type { Cache } from '../../../sim/cluster/informers.js';
import { PodsByNode } from '../../../sim/cluster/pods-by-node.js';
import { PodsByOwner } from '../../../sim/cluster/pods-by-owner.js';
import { pod, type PodOpts } from './fixtures.js';

/** A pod cache that tells its listeners as an informer does: after it holds the change. */
class FakePods implements Cache<V1Pod> {
  private readonly pods = new Map<string, V1Pod>();
  private readonly changed: ((p: V1Pod) => void)[] = [];
  private readonly deleted: ((p: V1Pod) => void)[] = [];

  list(): readonly V1Pod[] {
    return [...this.pods.values()];
  }

  get(name: string): V1Pod | undefined {
    return this.pods.get(name);
  }

  onChange(cb: (p: V1Pod) => void): void {
    this.changed.push(cb);
  }

  onDelete(cb: (p: V1Pod) => void): void {
    this.deleted.push(cb);
  }

  put(name: string, opts: PodOpts): void {
    const p = pod(name, opts);
    this.pods.set(name, p);
    for (const cb of this.changed) cb(p);
  }

  remove(name: string): void {
    const p = this.pods.get(name);
    this.pods.delete(name);
    if (p) for (const cb of this.deleted) cb(p);
  }
}

const names = (pods: readonly V1Pod[]): string[] => pods.map((p) => p.metadata?.name ?? '');

describe('pods by owner and node', () => {
  it('when pods of two owners run on two nodes, then each node lists the owner\'s pods in the order first seen', () => {
    const cache = new FakePods();
    const index = new PodsByOwner(cache);
    cache.put('b', { owner: 'ds', node: 'n1' });
    cache.put('a', { owner: 'ds', node: 'n1' });
    cache.put('c', { owner: 'ds', node: 'n2' });
    cache.put('x', { owner: 'other', node: 'n1' });
    cache.put('b', { owner: 'ds', node: 'n1', ready: false });
    expect(names(index.onNode('ds', 'n1'))).toEqual(['b', 'a']);
    expect(index.onNode('ds', 'n1')[0]?.status?.conditions?.[0]?.status).toBe('False');
    expect(names(index.onNode('other', 'n1'))).toEqual(['x']);
    expect(index.nodesOf('ds').sort()).toEqual(['n1', 'n2']);
    expect(names(index.of('ds'))).toEqual(['b', 'a', 'c']);
  });

  it('when a pod changes, moves or goes, then the listener hears of every place it was or is in', () => {
    const cache = new FakePods();
    const index = new PodsByOwner(cache);
    const heard: string[] = [];
    index.onPlaceChanged((owner, node) => heard.push(`${owner}@${node}`));
    cache.put('p', { owner: 'ds' });
    cache.put('p', { owner: 'ds', node: 'n1' });
    cache.put('p', { owner: 'ds', node: 'n1', ready: false });
    cache.put('p', { owner: 'rs', node: 'n1' });
    cache.remove('p');
    expect(heard).toEqual(['ds@', 'ds@', 'ds@n1', 'ds@n1', 'ds@n1', 'rs@n1', 'rs@n1']);
    expect(index.onNode('ds', 'n1')).toEqual([]);
    expect(index.onNode('rs', 'n1')).toEqual([]);
    expect(index.of('rs')).toEqual([]);
  });
});

describe('pods by node', () => {
  it('when pods are bound, change, move or go, then each node lists the pods bound to it now', () => {
    const cache = new FakePods();
    cache.put('early', { node: 'n1' });
    const index = new PodsByNode(cache);
    cache.put('unbound', {});
    cache.put('a', { node: 'n1', owner: 'rs' });
    cache.put('b', { node: 'n2' });
    cache.put('a', { node: 'n1', owner: 'rs', ready: false });
    expect(names(index.on('n1'))).toEqual(['early', 'a']);
    expect(index.on('n1')[1]?.status?.conditions?.[0]?.status).toBe('False');
    cache.put('unbound', { node: 'n2' });
    cache.put('b', { node: 'n1' });
    cache.remove('early');
    expect(names(index.on('n1'))).toEqual(['a', 'b']);
    expect(names(index.on('n2'))).toEqual(['unbound']);
    expect(index.on('')).toEqual([]);
  });
});
