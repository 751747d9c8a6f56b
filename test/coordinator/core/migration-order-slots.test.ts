import { describe, expect, it } from '@jest/globals';
import { migrationOrder, type NodeSummary } from '../../../coordinator/core/migration-order.js';
import { planGrants, slotOf } from '../../../coordinator/core/slots.js';

const w = (name: string): NodeSummary => ({ name, controlPlane: false });
const cp = (name: string): NodeSummary => ({ name, controlPlane: true });

describe('migration order', () => {
  it.each([
    [[w('b'), w('a'), cp('c0')], { includeControlPlane: false, selfNode: undefined }, ['a', 'b']],
    [[cp('c1'), w('b'), cp('c0'), w('a')], { includeControlPlane: true, selfNode: undefined }, ['a', 'b', 'c0', 'c1']],
    [[w('b'), w('a'), w('c')], { includeControlPlane: false, selfNode: 'a' }, ['b', 'c', 'a']],
    [[cp('c0'), cp('c1'), w('a')], { includeControlPlane: true, selfNode: 'c0' }, ['a', 'c1', 'c0']],
    [[w('worker-10'), w('worker-2'), w('worker-1')], { includeControlPlane: false, selfNode: 'zz' }, ['worker-1', 'worker-2', 'worker-10']],
  ])('when nodes are %j with %j, then the order is %j', (nodes, opts, expected) => {
    expect(migrationOrder(nodes, opts)).toEqual(expected);
  });
});

describe('grant slots', () => {
  it.each([
    { why: 'all free, k=1', holders: new Map<number, string>(), k: 1, candidates: ['a', 'b'], expected: [{ slot: 0, node: 'a' }] },
    {
      why: 'all free, k=3',
      holders: new Map<number, string>(),
      k: 3,
      candidates: ['a', 'b'],
      expected: [{ slot: 0, node: 'a' }, { slot: 1, node: 'b' }],
    },
    { why: 'one held, k=2', holders: new Map([[0, 'x']]), k: 2, candidates: ['a', 'b'], expected: [{ slot: 1, node: 'a' }] },
    { why: 'full', holders: new Map([[0, 'x']]), k: 1, candidates: ['a'], expected: [] },
    { why: 'candidate already holds', holders: new Map([[0, 'a']]), k: 2, candidates: ['a', 'b'], expected: [{ slot: 1, node: 'b' }] },
    { why: 'k lowered below holders', holders: new Map([[0, 'x'], [1, 'y'], [2, 'z']]), k: 2, candidates: ['a'], expected: [] },
    { why: 'a stray high slot counts', holders: new Map([[5, 'x']]), k: 2, candidates: ['a', 'b'], expected: [{ slot: 0, node: 'a' }] },
    { why: 'duplicates', holders: new Map<number, string>(), k: 2, candidates: ['a', 'a'], expected: [{ slot: 0, node: 'a' }] },
  ])('when $why, then the grants are as planned', ({ holders, k, candidates, expected }) => {
    expect(planGrants({ holders, concurrency: k, candidates })).toEqual(expected);
  });

  it('when a node holds a slot, then slotOf finds it', () => {
    expect(slotOf(new Map([[3, 'a']]), 'a')).toBe(3);
    expect(slotOf(new Map([[3, 'a']]), 'b')).toBeUndefined();
  });
});
