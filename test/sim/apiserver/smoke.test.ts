import { describe, it, expect } from '@jest/globals';
import { CoreV1Api } from '@kubernetes/client-node';
import { startApiServer } from '../../../sim/apiserver/index.js';

describe('smoke', () => {
  it('when a node is created, then it can be read back', async () => {
    const s = await startApiServer();
    try {
      const core = s.kubeConfig().makeApiClient(CoreV1Api);
      await core.createNode({ body: { metadata: { name: 'n1' } } });
      const n = await core.readNode({ name: 'n1' });
      expect(n.metadata?.name).toBe('n1');
      const list = await core.listNode();
      expect(list.items).toHaveLength(1);
      await core.createNamespacedPod({ namespace: 'default', body: { metadata: { name: 'p' }, spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'x' }] } } });
      const pods = await core.listPodForAllNamespaces({ fieldSelector: 'spec.nodeName=n1' });
      expect(pods.items).toHaveLength(1);
      const del = await core.deleteNamespacedPod({ name: 'p', namespace: 'default' });
      expect(del).toBeDefined();
    } finally {
      await s.close();
    }
  });
});
