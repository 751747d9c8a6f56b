/**
 * The server's own controls: option validation, request accounting, the API call log, injected faults,
 * bookmarks; and what every fresh cluster holds (the default/kubernetes Service).
 */
import { describe, expect, it } from '@jest/globals';
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { ConfigError } from '../../../shared/errors.js';
import { startApiServer } from '../../../sim/apiserver/index.js';
import { statusOf } from './status-code.js';


describe('simulated API server controls', () => {
  it('when options are invalid, then it refuses to start and names the option', async () => {
    await expect(startApiServer({ watchHistory: 0 })).rejects.toThrow(ConfigError);
    await expect(startApiServer({ port: 70000 })).rejects.toThrow(/port/);
  });

  it('when requests are made, then they are counted by verb, resource, subresource and caller, and can be reset', async () => {
    const s = await startApiServer();
    try {
      const core = s.kubeConfig().makeApiClient(CoreV1Api);
      await core.createNode({ body: { metadata: { name: 'n1' } } });
      await core.readNode({ name: 'n1' });
      await core.readNode({ name: 'n1' });
      await core.readNodeStatus({ name: 'n1' });
      const counts = s.requestCounts();
      expect(counts).toEqual(
        expect.arrayContaining([
          { verb: 'create', resource: 'nodes', caller: 'kubernetes-admin', count: 1 },
          { verb: 'get', resource: 'nodes', caller: 'kubernetes-admin', count: 2 },
          { verb: 'get', resource: 'nodes', subresource: 'status', caller: 'kubernetes-admin', count: 1 },
        ]),
      );
      s.resetRequestCounts();
      expect(s.requestCounts()).toEqual([]);
    } finally {
      await s.close();
    }
  });

  it('when faults are injected for one verb, then those requests fail and others pass until cleared', async () => {
    const s = await startApiServer();
    try {
      const core = s.kubeConfig().makeApiClient(CoreV1Api);
      await core.createNode({ body: { metadata: { name: 'n1' } } });
      s.faults.add({ match: { verb: 'patch', resource: 'nodes' }, error: 503 });
      s.faults.add({ match: { verb: 'update' }, conflict: true });
      const node = await core.readNode({ name: 'n1' });
      expect(await statusOf(core.patchNode({ name: 'n1', body: [{ op: 'add', path: '/metadata/labels', value: { a: 'b' } }] }))).toBe(503);
      expect(await statusOf(core.replaceNode({ name: 'n1', body: node }))).toBe(409);
      expect(await statusOf(core.readNode({ name: 'n1' }))).toBe(200);
      s.faults.clear();
      expect(await statusOf(core.replaceNode({ name: 'n1', body: node }))).toBe(200);
    } finally {
      await s.close();
    }
  });

  it("when a write's answer is lost, then the change is stored but the client sees the connection cut", async () => {
    const s = await startApiServer();
    try {
      const core = s.kubeConfig().makeApiClient(CoreV1Api);
      s.faults.add({ match: { verb: 'create', resource: 'nodes' }, loseResponse: true, times: 1 });
      s.faults.add({ match: { verb: 'get', resource: 'nodes' }, loseResponse: true });
      await expect(core.createNode({ body: { metadata: { name: 'n2' } } })).rejects.toThrow();
      expect((await core.readNode({ name: 'n2' })).metadata?.name).toBe('n2');
      expect(await statusOf(core.createNode({ body: { metadata: { name: 'n2' } } }))).toBe(409);
    } finally {
      await s.close();
    }
  });

  it('when bookmarks are asked for, then the watch sends empty objects carrying only a resourceVersion', async () => {
    const s = await startApiServer({ bookmarkIntervalMs: 100 });
    try {
      const res = await fetch(`${s.url}/api/v1/nodes?watch=1&allowWatchBookmarks=true&timeoutSeconds=1`, { headers: { Authorization: `Bearer ${s.adminToken}` } });
      const events = (await res.text()).split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as { type: string; object: Record<string, unknown> });
      expect(events.length).toBeGreaterThan(2);
      expect(new Set(events.map((e) => e.type))).toEqual(new Set(['BOOKMARK']));
      expect(events[0]?.object).toEqual({ kind: 'Node', apiVersion: 'v1', metadata: { resourceVersion: expect.any(String), creationTimestamp: null } });
    } finally {
      await s.close();
    }
  });
  it('when a fresh server is read, then it holds the default/kubernetes Service on the first Service address', async () => {
    const s = await startApiServer();
    try {
      const svc = await s.kubeConfig().makeApiClient(CoreV1Api).readNamespacedService({ namespace: 'default', name: 'kubernetes' });
      expect(svc.spec).toMatchObject({ type: 'ClusterIP', clusterIP: '10.96.0.1', ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }] });
      expect(svc.metadata?.labels).toEqual({ component: 'apiserver', provider: 'kubernetes' });
    } finally {
      await s.close();
    }
  });

  it('when a ServiceAccount calls, then each call is logged with what RBAC saw and its verdict, and a refused call to a kind nobody serves is 403', async () => {
    const s = await startApiServer();
    try {
      await s.kubeConfig().makeApiClient(CoreV1Api).createNamespacedServiceAccount({ namespace: 'default', body: { metadata: { name: 'reader' } } });
      const fresh = s.kubeConfig({ token: s.issueServiceAccountToken({ namespace: 'default', serviceAccount: 'reader' }) });
      const core = fresh.makeApiClient(CoreV1Api);
      expect(await statusOf(core.readNamespacedConfigMap({ namespace: 'kube-system', name: 'x' }))).toBe(403);
      const custom = fresh.makeApiClient(CustomObjectsApi);
      expect(await statusOf(custom.listClusterCustomObject({ group: 'nobody.example', version: 'v1', plural: 'things' }))).toBe(403);
      expect(s.apiCalls()).toEqual(
        expect.arrayContaining([
          { caller: 'system:serviceaccount:default:reader', verb: 'get', group: '', resource: 'configmaps', subresource: undefined, namespace: 'kube-system', name: 'x', allowed: false, count: 1 },
          expect.objectContaining({ caller: 'system:serviceaccount:default:reader', verb: 'list', group: 'nobody.example', resource: 'things', allowed: false }),
          expect.objectContaining({ caller: 'kubernetes-admin', verb: 'create', resource: 'serviceaccounts', namespace: 'default', allowed: true }),
        ]),
      );
    } finally {
      await s.close();
    }
  });
});
