import { describe, expect, it } from '@jest/globals';
import type { Phase } from '../../../shared/phases.js';
import { RolloutIndex, type IndexedNode } from '../../../coordinator/core/rollout-index.js';
import { decideNext, decideRollout, type RolloutInput } from '../../../coordinator/core/rollout.js';
import { state } from './fixtures.js';

const node = (name: string, phase: Phase = 'Pending', o: { cp?: boolean; zone?: string; out?: boolean; haltReason?: string } = {}): IndexedNode => ({
  name,
  controlPlane: o.cp ?? false,
  zone: o.zone,
  inScope: !(o.out ?? false),
  state: state({ name, phase, haltReason: o.haltReason, failedPhase: o.haltReason ? 'Validating' : undefined }),
});

const pending = (index: RolloutIndex): string[] => [...index.pendingInOrder()];

describe('RolloutIndex: the pending nodes in migration order', () => {
  it.each([
    { why: 'every node pending: all, in order', nodes: [node('b'), node('a')], order: ['a', 'b'], expected: ['a', 'b'] },
    { why: 'started nodes are passed over', nodes: [node('a', 'Draining'), node('b', 'Done'), node('c')], order: ['a', 'b', 'c'], expected: ['c'] },
    { why: 'a control-plane node waits for every worker in scope', nodes: [node('a', 'Done'), node('b', 'Draining'), node('c0', 'Pending', { cp: true })], order: ['a', 'b', 'c0'], expected: [] },
    { why: 'a control-plane node goes once the workers are finished', nodes: [node('a', 'Done'), node('b', 'RolledBack'), node('c0', 'Pending', { cp: true })], order: ['a', 'b', 'c0'], expected: ['c0'] },
    { why: 'a worker out of scope does not hold the control plane back', nodes: [node('a', 'Pending', { out: true }), node('c0', 'Pending', { cp: true })], order: ['c0'], expected: ['c0'] },
  ])('when $why', ({ nodes, order, expected }) => {
    expect(pending(RolloutIndex.of(nodes, order))).toEqual(expected);
  });

  it('when nodes start one by one, then the next pending node is the next in order; one that is pending again comes back first', () => {
    const index = RolloutIndex.of([node('a'), node('b'), node('c')], ['a', 'b', 'c']);
    index.put(node('a', 'Cordoning'));
    expect(pending(index)).toEqual(['b', 'c']);
    index.put(node('b', 'Draining'));
    expect(pending(index)).toEqual(['c']);
    index.put(node('a', 'Pending'));
    expect(pending(index)).toEqual(['a', 'c']);
  });

  it('when a new order is set (the scope changed), then it is followed from its start', () => {
    const index = RolloutIndex.of([node('a', 'Done'), node('b'), node('c')], ['a', 'b', 'c']);
    expect(pending(index)).toEqual(['b', 'c']);
    index.setOrder(['c', 'b']);
    expect(pending(index)).toEqual(['c', 'b']);
  });
});

describe('RolloutIndex: the counts it keeps', () => {
  it('when nodes change phase and leave, then the counts in flight, per zone, started and halted follow', () => {
    const index = RolloutIndex.of([node('a', 'Draining', { zone: 'z1' }), node('b', 'Pending', { zone: 'z1' }), node('c', 'Validating', { zone: 'z2', out: true })], ['a', 'b']);
    expect([index.inFlightCount(), Object.fromEntries(index.inFlightByZone()), index.startedInScope()]).toEqual([2, { z1: 1, z2: 1 }, 1]);
    index.put(node('a', 'Done', { zone: 'z1' }));
    index.put(node('b', 'Halted', { zone: 'z1', haltReason: 'dns failed' }));
    expect([index.inFlightCount(), Object.fromEntries(index.inFlightByZone()), index.startedInScope()]).toEqual([2, { z1: 1, z2: 1 }, 2]);
    expect(index.halted()?.name).toBe('b');
    expect(index.urgent()).toEqual(['c']);
    index.remove('c');
    expect([index.inFlightCount(), index.urgent()]).toEqual([1, []]);
    expect(index.allInScopeDone()).toBe(false);
    index.put(node('b', 'Done', { zone: 'z1' }));
    expect([index.allInScopeDone(), index.halted()]).toEqual([true, undefined]);
  });
});

describe('decideNext over an index kept from event to event', () => {
  const input = (nodes: IndexedNode[]): Omit<RolloutInput, 'nodes'> => ({
    policy: { paused: false, concurrency: 2, includeControlPlane: true, maxUnavailablePerZone: 1 },
    holders: new Map(),
    selfNode: undefined,
    gates: [],
    peerHosts: new Set(),
    order: nodes.map((n) => n.name),
  });

  it('when each node moves on in turn, then each decision equals the one made from every node afresh', () => {
    const names = ['w1', 'w2', 'w3', 'w4', 'w5', 'w6'];
    const zones: Record<string, string> = { w1: 'a', w2: 'a', w3: 'b', w4: 'a', w5: 'b', w6: 'c' };
    let nodes = names.map((n) => node(n, 'Pending', { zone: zones[n] }));
    const index = RolloutIndex.of(nodes, names);
    const steps: [string, Phase][] = [['w1', 'Draining'], ['w3', 'Rebooting'], ['w1', 'Done'], ['w2', 'Cordoning'], ['w3', 'Done'], ['w5', 'Validating'], ['w2', 'Done']];
    for (const [name, phase] of steps) {
      const changed = node(name, phase, { zone: zones[name] });
      nodes = nodes.map((n) => (n.name === name ? changed : n));
      index.put(changed);
      const afresh = decideRollout({ ...input(nodes), nodes });
      const { order: _order, ...rest } = input(nodes);
      expect(decideNext({ ...rest, index })).toEqual(afresh);
    }
  });
});
