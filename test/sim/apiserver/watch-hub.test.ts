import { describe, expect, it } from '@jest/globals';
import type { StoredEvent } from '../../../sim/apiserver/store.js';
import { WatchHub } from '../../../sim/apiserver/watch-hub.js';

const pod = (node: string): Record<string, unknown> => ({ metadata: { name: 'p', namespace: 'a' }, spec: { nodeName: node } });
let rv = 100;
const ev = (type: StoredEvent['type'], object: Record<string, unknown>, previous?: Record<string, unknown>): StoredEvent => ({ type, rv: ++rv, object, previous });

function collector(): { seen: string[]; deliver(e: StoredEvent): void } {
  const seen: string[] = [];
  return { seen, deliver: (e) => seen.push(`${e.type}@${e.rv}`) };
}

describe('watch hub', () => {
  it('when watchers are routed by node, then each only gets events of pods that are or were on its node', () => {
    const hub = new WatchHub(100, 100);
    const n1 = collector();
    const n2 = collector();
    const all = collector();
    hub.subscribe('/pods', 100, n1, { field: 'spec.nodeName', value: 'n1' });
    hub.subscribe('/pods', 100, n2, { field: 'spec.nodeName', value: 'n2' });
    hub.subscribe('/pods', 100, all);
    const added = ev('ADDED', pod('n1'));
    const moved = ev('MODIFIED', pod('n2'), pod('n1'));
    hub.record('/pods', added);
    hub.record('/pods', moved);
    expect(n1.seen).toEqual([`ADDED@${added.rv}`, `MODIFIED@${moved.rv}`]);
    expect(n2.seen).toEqual([`MODIFIED@${moved.rv}`]);
    expect(all.seen).toHaveLength(2);
  });

  it('when watchers are routed by name, then each only gets events of its own object, beside node-routed and unrouted watchers', () => {
    const hub = new WatchHub(100, 100);
    const lease = (name: string): Record<string, unknown> => ({ metadata: { name, namespace: 'a' } });
    const leader = collector();
    const other = collector();
    const all = collector();
    hub.subscribe('/leases', 100, leader, { field: 'metadata.name', value: 'leader' });
    hub.subscribe('/leases', 100, other, { field: 'metadata.name', value: 'other' });
    hub.subscribe('/leases', 100, all);
    const created = ev('ADDED', lease('leader'));
    const renewed = ev('MODIFIED', lease('leader'), lease('leader'));
    const gone = ev('DELETED', lease('leader'), lease('leader'));
    [created, ev('ADDED', lease('node-1')), renewed, gone].forEach((e) => hub.record('/leases', e));
    expect(leader.seen).toEqual([`ADDED@${created.rv}`, `MODIFIED@${renewed.rv}`, `DELETED@${gone.rv}`]);
    expect(other.seen).toEqual([]);
    expect(all.seen).toHaveLength(4);

    const byName = collector();
    const byNode = collector();
    hub.subscribe('/pods', rv, byName, { field: 'metadata.name', value: 'p' });
    hub.subscribe('/pods', rv, byNode, { field: 'spec.nodeName', value: 'n9' });
    const moved = ev('MODIFIED', pod('n9'), pod('n1'));
    hub.record('/pods', moved);
    expect(byName.seen).toEqual([`MODIFIED@${moved.rv}`]);
    expect(byNode.seen).toEqual([`MODIFIED@${moved.rv}`]);
  });

  it('when history overflows, then resuming from before the window is expired and inside it replays', () => {
    const hub = new WatchHub(2, 100);
    const evs = [ev('ADDED', pod('n1')), ev('MODIFIED', pod('n1'), pod('n1')), ev('MODIFIED', pod('n1'), pod('n1'))];
    evs.forEach((e) => hub.record('/pods', e));
    const first = evs[0]?.rv ?? 0;
    expect(hub.isExpired('/pods', first - 1)).toBe(true);
    expect(hub.isExpired('/pods', first)).toBe(false);
    const late = collector();
    hub.subscribe('/pods', first, late);
    expect(late.seen).toEqual(evs.slice(1).map((e) => `${e.type}@${e.rv}`));
  });

  it('when unsubscribed, then nothing more is delivered', () => {
    const hub = new WatchHub(10, 100);
    const c = collector();
    const stop = hub.subscribe('/nodes', 100, c);
    stop();
    hub.record('/nodes', ev('ADDED', { metadata: { name: 'n' } }));
    expect(c.seen).toEqual([]);
    expect(hub.subscriberCount()).toBe(0);
  });
});
