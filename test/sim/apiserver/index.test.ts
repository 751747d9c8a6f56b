/**
 * The server's own controls: option validation, request accounting, injected faults, bookmarks.
 */
import { describe, expect, it } from '@jest/globals';
import { CoreV1Api } from '@kubernetes/client-node';
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
});
