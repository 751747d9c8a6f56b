import { describe, it, expect } from '@jest/globals';
import { statusPatch, DAEMONSET_STATUS_KEYS } from '../../../sim/cluster/controllers/status-patch.js';
import { PodExpectations } from '../../../sim/cluster/expectations.js';
import { WorkQueue } from '../../../sim/cluster/work-queue.js';
import { silentLogger } from '../../../shared/logger.js';
import { stableHash } from '../../../sim/cluster/rand.js';
import { pod } from './fixtures.js';

describe('status patch', () => {
  it.each<[string, Record<string, number> | undefined, Record<string, number>, unknown]>([
    ['when nothing changed, then no patch', { numberReady: 3, desiredNumberScheduled: 3 }, { numberReady: 3, desiredNumberScheduled: 3 }, undefined],
    ['when a count changed, then only it is sent', { numberReady: 2, desiredNumberScheduled: 3 }, { numberReady: 3, desiredNumberScheduled: 3 }, { status: { numberReady: 3 } }],
    ['when a count dropped to zero (omitted), then it is removed with null', { numberReady: 3, numberAvailable: 3 }, { numberReady: 0 }, { status: { numberReady: 0, numberAvailable: null } }],
    ['when there was no status yet, then every computed field is sent', undefined, { numberReady: 0 }, { status: { numberReady: 0 } }],
  ])('%s', (_name, current, desired, expected) => {
    expect(statusPatch(current, desired, DAEMONSET_STATUS_KEYS)).toEqual(expected);
  });
});

describe('pod expectations', () => {
  it('when a created pod is not in the cache yet, then the view shows it until the cache does', () => {
    const e = new PodExpectations(() => 0);
    const created = pod('new', { node: 'a' });
    e.expectCreated(created);
    expect(e.view([]).map((p) => p.metadata?.name)).toEqual(['new']);
    expect(e.view([created]).map((p) => p.metadata?.name)).toEqual(['new']);
    expect(e.view([])).toEqual([]);
  });

  it('when a deleted pod still looks alive in the cache, then the view shows it terminating', () => {
    const e = new PodExpectations(() => 0);
    const p = pod('old', { node: 'a' });
    e.expectDeleted(p);
    expect(e.view([p])[0]?.metadata?.deletionTimestamp).toBeDefined();
  });

  it('when an expectation outlives its deadline, then it is dropped', () => {
    let now = 0;
    const e = new PodExpectations(() => now, 1000);
    e.expectCreated(pod('ghost'));
    now = 2000;
    expect(e.view([])).toEqual([]);
  });

  it('when pods of other owners were created, then a narrowed view leaves them out', () => {
    const e = new PodExpectations(() => 0);
    e.expectCreated(pod('mine', { owner: 'a' }));
    e.expectCreated(pod('theirs', { owner: 'b' }));
    expect(e.view([], (p) => p.metadata?.ownerReferences?.[0]?.uid === 'a').map((p) => p.metadata?.name)).toEqual(['mine']);
  });

  it('when the cached pods are one owner\'s on one node, then the node\'s view keeps them, adds only that owner\'s creations there and shows deletions', () => {
    const e = new PodExpectations(() => 0);
    const running = pod('running', { owner: 'a', node: 'n1' });
    const leaving = pod('leaving', { owner: 'a', node: 'n1' });
    e.expectCreated(pod('mine', { owner: 'a', node: 'n1' }));
    e.expectCreated(pod('elsewhere', { owner: 'a', node: 'n2' }));
    e.expectCreated(pod('theirs', { owner: 'b', node: 'n1' }));
    e.expectDeleted(leaving);
    const view = e.viewOnNode([running, leaving], 'n1', (p) => p.metadata?.ownerReferences?.[0]?.uid === 'a');
    expect(view.map((p) => p.metadata?.name)).toEqual(['running', 'leaving', 'mine']);
    expect(view[1]?.metadata?.deletionTimestamp).toBeDefined();
  });

  it('when a created pod shows in the cache on its node, then the node\'s view no longer adds it', () => {
    const e = new PodExpectations(() => 0);
    const created = pod('new', { owner: 'a', node: 'n1' });
    e.expectCreated(created);
    expect(e.viewOnNode([created], 'n1', () => true).map((p) => p.metadata?.name)).toEqual(['new']);
    expect(e.viewOnNode([], 'n1', () => true)).toEqual([]);
  });

  it('when expectations outlive their deadline, then expire returns their pods and drops them', () => {
    let now = 0;
    const e = new PodExpectations(() => now, 1000);
    const leaving = pod('leaving', { owner: 'a', node: 'n1' });
    e.expectCreated(pod('ghost', { owner: 'a', node: 'n2' }));
    e.expectDeleted(leaving);
    expect(e.expire()).toEqual([]);
    now = 2000;
    expect(e.expire().map((p) => p.metadata?.name).sort()).toEqual(['ghost', 'leaving']);
    expect(e.viewOnNode([leaving], 'n1', () => true)[0]?.metadata?.deletionTimestamp).toBeUndefined();
    expect(e.viewOnNode([], 'n2', () => true)).toEqual([]);
  });
});

describe('work queue', () => {
  it('when a key is added many times while queued, then it is handled once', async () => {
    const seen: string[] = [];
    const q = new WorkQueue({ name: 't', log: silentLogger(), handle: async (k) => void seen.push(k) });
    q.add('a');
    q.add('a');
    q.add('b');
    await q.idle();
    expect(seen.sort()).toEqual(['a', 'b']);
  });

  it('when a key is added while it runs, then it runs again afterwards, never concurrently', async () => {
    let running = 0;
    let maxRunning = 0;
    let runs = 0;
    const q: WorkQueue = new WorkQueue({
      name: 't',
      log: silentLogger(),
      handle: async () => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        runs++;
        if (runs === 1) q.add('k');
        await Promise.resolve();
        running--;
      },
    });
    q.add('k');
    await q.idle();
    await q.idle();
    expect(runs).toBe(2);
    expect(maxRunning).toBe(1);
  });

  it('when a handler fails, then the key is retried', async () => {
    let attempts = 0;
    let succeeded!: () => void;
    const done = new Promise<void>((r) => (succeeded = r));
    const q = new WorkQueue({
      name: 't',
      log: silentLogger(),
      retryBaseMs: 1,
      handle: async () => {
        attempts++;
        if (attempts < 3) throw new Error('transient');
        succeeded();
      },
    });
    q.add('k');
    await done;
    expect(attempts).toBe(3);
    q.close();
  });
});

describe('stable hash', () => {
  it('when the same template is read typed (Dates, nulls, empty objects) or raw, then the hash is the same', () => {
    const raw = { metadata: { labels: { a: '1' }, creationTimestamp: null }, spec: { containers: [{ name: 'c', resources: {} }] } };
    const typed = { spec: { containers: [{ resources: {}, name: 'c' }] }, metadata: { labels: { a: '1' } } };
    expect(stableHash(raw)).toBe(stableHash(typed));
    expect(stableHash({ t: new Date('2026-01-01T00:00:00Z') })).toBe(stableHash({ t: '2026-01-01T00:00:00Z' }));
    expect(stableHash({ a: '1' })).not.toBe(stableHash({ a: '2' }));
  });
});
