import { describe, expect, it } from '@jest/globals';
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
