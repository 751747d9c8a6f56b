import { describe, expect, it } from '@jest/globals';
import type { V1Pod } from '@kubernetes/client-node';
import { listProjected, projectPod, type ListPage } from '../../../coordinator/kube/projections.js';

const pod = (name: string): V1Pod => ({
  metadata: { name, namespace: 'kube-system', uid: `uid-${name}`, resourceVersion: '7', labels: { 'k8s-app': 'cilium' }, managedFields: [{ manager: 'kubelet' }] },
  spec: { nodeName: `node-${name}`, containers: [{ name: 'cilium-agent', image: 'quay.io/cilium/cilium:v1.15.6' }] },
  status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', reason: 'r', message: 'm' }], containerStatuses: [] },
});

describe('listProjected', () => {
  it('when the list comes in pages, then every page is asked for with the continue token of the last and the items are kept projected', async () => {
    const all = ['a', 'b', 'c', 'd', 'e'].map(pod);
    const asked: ListPage[] = [];
    const list = async (page: ListPage) => {
      asked.push(page);
      const start = Number(page._continue ?? 0);
      const end = start + page.limit;
      return { metadata: { resourceVersion: '42', ...(end < all.length ? { _continue: String(end) } : {}) }, items: all.slice(start, end) };
    };
    const listed = await listProjected(list, projectPod, 2);
    expect(asked).toEqual([{ limit: 2 }, { limit: 2, _continue: '2' }, { limit: 2, _continue: '4' }]);
    expect(listed.metadata.resourceVersion).toBe('42');
    expect(listed.items.map((p) => p.metadata?.name)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(listed.items[0]).toEqual({
      metadata: { name: 'a', namespace: 'kube-system', uid: 'uid-a', resourceVersion: '7', deletionTimestamp: undefined },
      spec: { nodeName: 'node-a' },
      status: { conditions: [{ type: 'Ready', status: 'True' }] },
    });
  });
});
