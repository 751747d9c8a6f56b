import { describe, expect, it } from '@jest/globals';
import { CoreV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { startApiServer } from '../../../sim/apiserver/index.js';
import { parseFieldSelector, parseLabelSelector } from '../../../sim/apiserver/selectors.js';
import type { StoredEvent } from '../../../sim/apiserver/store.js';
import { visibleType } from '../../../sim/apiserver/watch.js';

const pod = (node: string, ns = 'a'): Record<string, unknown> => ({ metadata: { name: 'p', namespace: ns, labels: { app: 'x' } }, spec: { nodeName: node } });
const sel = { labels: parseLabelSelector('app=x'), fields: parseFieldSelector('spec.nodeName=n1', '/pods') };
const ev = (type: StoredEvent['type'], object: Record<string, unknown>, previous?: Record<string, unknown>): StoredEvent => ({ type, rv: 1, object, previous });

describe('what a selector-filtered watcher sees', () => {
  const table: [string, StoredEvent, string | undefined][] = [
    ['an added matching object', ev('ADDED', pod('n1')), 'ADDED'],
    ['an added object elsewhere', ev('ADDED', pod('n2')), undefined],
    ['a modified matching object', ev('MODIFIED', pod('n1'), pod('n1')), 'MODIFIED'],
    ['an object that starts matching', ev('MODIFIED', pod('n1'), pod('n2')), 'ADDED'],
    ['an object that stops matching', ev('MODIFIED', pod('n2'), pod('n1')), 'DELETED'],
    ['a deleted matching object', ev('DELETED', pod('n1'), pod('n1')), 'DELETED'],
    ['a deleted object elsewhere', ev('DELETED', pod('n2'), pod('n2')), undefined],
  ];
  it.each(table)('when %s, then the event type is %p', (_what, e, want) => {
    expect(visibleType(e, undefined, sel)).toBe(want);
  });

  it('when the watch is namespaced, then other namespaces are invisible', () => {
    expect(visibleType(ev('ADDED', pod('n1', 'b')), 'a', sel)).toBeUndefined();
  });
});

describe('one event, many watchers', () => {
  type Line = { type: string; object: Record<string, unknown> };
  const watch = async (url: string, token: string): Promise<() => Promise<Line[]>> => {
    const res = await fetch(`${url}&watch=1&timeoutSeconds=2`, { headers: { Authorization: `Bearer ${token}` } });
    return async () => (await res.text()).split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Line);
  };

  it('when watchers of different selections and versions see the same writes, then each gets its own type and form, the same object where they agree', async () => {
    const s = await startApiServer();
    try {
      const core = s.kubeConfig().makeApiClient(CoreV1Api);
      const rv = (await core.listPodForAllNamespaces()).metadata?.resourceVersion ?? '';
      const all = await watch(`${s.url}/api/v1/pods?resourceVersion=${rv}`, s.adminToken);
      const labelled = await watch(`${s.url}/api/v1/namespaces/default/pods?labelSelector=app%3Dx&resourceVersion=${rv}`, s.adminToken);
      const coreEvents = await watch(`${s.url}/api/v1/events?resourceVersion=${rv}`, s.adminToken);
      const newEvents = await watch(`${s.url}/apis/events.k8s.io/v1/events?resourceVersion=${rv}`, s.adminToken);
      await core.createNamespacedPod({ namespace: 'default', body: { metadata: { name: 'p', labels: { app: 'x' } }, spec: { containers: [{ name: 'c', image: 'i' }] } } });
      await core.patchNamespacedPod({ namespace: 'default', name: 'p', body: { metadata: { labels: { app: 'y' } } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
      const involvedObject = { kind: 'Pod', namespace: 'default', name: 'p' };
      await core.createNamespacedEvent({ namespace: 'default', body: { metadata: { name: 'e' }, involvedObject, reason: 'Tested', message: 'hello', type: 'Normal' } });
      const [a = [], b = [], c = [], d = []] = await Promise.all([all(), labelled(), coreEvents(), newEvents()]);
      expect(a.map((l) => l.type)).toEqual(['ADDED', 'MODIFIED']);
      expect(b.map((l) => l.type)).toEqual(['ADDED', 'DELETED']);
      expect(b.map((l) => l.object)).toEqual(a.map((l) => l.object));
      expect(c).toMatchObject([{ type: 'ADDED', object: { apiVersion: 'v1', kind: 'Event', message: 'hello' } }]);
      expect(d).toMatchObject([{ type: 'ADDED', object: { apiVersion: 'events.k8s.io/v1', kind: 'Event', note: 'hello' } }]);
    } finally {
      await s.close();
    }
  });
});
