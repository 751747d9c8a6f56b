import { describe, expect, it } from '@jest/globals';
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import { fakeWatched } from './fake-watched.js';
import { nodeFingerprint, podFingerprint, wakeOnRelevantChange } from '../../../coordinator/engine/wake-filter.js';
import { PodsByNode } from '../../../coordinator/engine/pods-by-node.js';
import { NodeView } from '../../../coordinator/engine/node-view.js';

const node = (heartbeat: string, extra: Partial<V1Node['metadata']> = {}, ready = 'True'): V1Node => ({
  metadata: { name: 'n1', labels: { a: '1' }, annotations: {}, ...extra },
  status: { conditions: [{ type: 'Ready', status: ready, lastHeartbeatTime: new Date(heartbeat) }], nodeInfo: { bootID: 'b1' } as NonNullable<V1Node['status']>['nodeInfo'] },
});

describe('wakeOnRelevantChange', () => {
  it('when a Node only renews its heartbeat, then no pass is woken; a phase annotation, a readiness change or its deletion each wake one', () => {
    const nodes = fakeWatched<V1Node>();
    let wakes = 0;
    wakeOnRelevantChange(nodes, nodeFingerprint, () => (wakes += 1));
    nodes.put(node('2026-01-01T00:00:00Z'));
    nodes.put(node('2026-01-01T00:00:30Z'));
    nodes.put(node('2026-01-01T00:01:00Z'));
    expect(wakes).toBe(1);
    nodes.put(node('2026-01-01T00:01:30Z', { annotations: { phase: 'Draining' } }));
    nodes.put(node('2026-01-01T00:02:00Z', { annotations: { phase: 'Draining' } }, 'False'));
    nodes.remove(node('2026-01-01T00:02:00Z'));
    expect(wakes).toBe(4);
  });

  it("when the watch brings the echo of the engine's own Node patch, then no pass is woken; a later change by another writer wakes one", () => {
    const nodes = fakeWatched<V1Node>();
    const view = new NodeView(nodes);
    let wakes = 0;
    wakeOnRelevantChange(nodes, nodeFingerprint, () => (wakes += 1), (n) => view.isOwnWrite(n));
    nodes.put(node('2026-01-01T00:00:00Z', { resourceVersion: '10' }));
    expect(wakes).toBe(1);
    const patched = node('2026-01-01T00:00:00Z', { resourceVersion: '11', annotations: { phase: 'Draining' } });
    view.wrote(patched);
    nodes.put(patched);
    expect(wakes).toBe(1);
    nodes.put(node('2026-01-01T00:00:00Z', { resourceVersion: '12', annotations: { phase: 'Draining' } }, 'False'));
    expect(wakes).toBe(2);
  });

  it('when a Cilium pod only changes what a pass does not read, then no pass is woken; its readiness wakes one', () => {
    const pods = fakeWatched<V1Pod>();
    let wakes = 0;
    wakeOnRelevantChange(pods, podFingerprint, () => (wakes += 1));
    const pod = (ready: string, restarts: number): V1Pod => ({
      metadata: { name: 'cilium-x', namespace: 'kube-system', uid: 'u1' },
      spec: { nodeName: 'n1', containers: [] },
      status: { conditions: [{ type: 'Ready', status: ready }], containerStatuses: [{ name: 'c', image: 'i', imageID: '', ready: true, restartCount: restarts }] },
    });
    pods.put(pod('False', 0));
    pods.put(pod('False', 1));
    pods.put(pod('True', 1));
    expect(wakes).toBe(2);
  });
});

describe('PodsByNode', () => {
  const pod = (name: string, nodeName: string | undefined): V1Pod => ({ metadata: { name, namespace: 'kube-system', uid: name }, spec: { containers: [], ...(nodeName ? { nodeName } : {}) } });

  it('when pods come, get scheduled and go, then each node lists exactly its own pods in the order they came', () => {
    const pods = fakeWatched<V1Pod>();
    pods.put(pod('a', 'n1'));
    const index = new PodsByNode(pods);
    pods.put(pod('b', undefined));
    pods.put(pod('c', 'n2'));
    pods.put(pod('b', 'n1'));
    expect(index.on('n1').map((p) => p.metadata?.name)).toEqual(['a', 'b']);
    expect(index.on('n2').map((p) => p.metadata?.name)).toEqual(['c']);
    pods.remove(pod('a', 'n1'));
    expect(index.on('n1').map((p) => p.metadata?.name)).toEqual(['b']);
    index.stop();
    pods.put(pod('d', 'n1'));
    expect(index.on('n1').map((p) => p.metadata?.name)).toEqual(['b']);
    expect(index.on('n3')).toEqual([]);
  });
});
