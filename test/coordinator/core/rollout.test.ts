import { describe, expect, it } from '@jest/globals';
import type { Phase } from '../../../shared/phases.js';
import { decideRollout, decideStep, pausedByCanary, releaseFreedSlots, type RolloutInput, type RolloutNode, type RolloutPolicy } from '../../../coordinator/core/rollout.js';
import { later, obs, settings, state, T0 } from './fixtures.js';

interface NodeOpts {
  phase?: Phase;
  zone?: string;
  cp?: boolean;
  out?: boolean;
  request?: 'retry' | 'rollback';
  haltReason?: string;
}

const node = (name: string, o: NodeOpts = {}): RolloutNode => ({
  name,
  controlPlane: o.cp ?? false,
  zone: o.zone,
  inScope: !(o.out ?? false),
  state: state({ name, phase: o.phase ?? 'Pending', request: o.request, haltReason: o.haltReason, failedPhase: o.haltReason ? 'Validating' : undefined }),
});

const policy = (over: Partial<RolloutPolicy> = {}): RolloutPolicy => ({ paused: false, concurrency: 1, includeControlPlane: true, ...over });

function input(over: Partial<RolloutInput>): RolloutInput {
  return { policy: policy(), nodes: [], holders: new Map(), selfNode: undefined, gates: [], peerHosts: new Set(), ...over };
}

const granted = (i: RolloutInput): string[] => decideRollout(i).grants.map((g) => g.node);
const heldBy = (i: RolloutInput): string[] => decideRollout(i).held.map((h) => `${h.node}:${h.by}`);

describe('decideRollout: which pending nodes start now', () => {
  it.each([
    { why: 'a free slot goes to the first pending worker by name', nodes: [node('b'), node('a')], k: 1, grants: ['a'] },
    { why: 'k free slots go to the first k', nodes: [node('c'), node('b'), node('a')], k: 2, grants: ['a', 'b'] },
    { why: 'control-plane nodes wait for every worker', nodes: [node('c0', { cp: true }), node('a', { phase: 'Done' }), node('b')], k: 3, grants: ['b'] },
    { why: 'control-plane nodes go once workers are done', nodes: [node('c0', { cp: true }), node('a', { phase: 'Done' })], k: 1, grants: ['c0'] },
    { why: 'nodes out of scope never start', nodes: [node('a', { out: true }), node('b')], k: 2, grants: ['b'] },
  ])('when $why', ({ nodes, k, grants }) => {
    expect(granted(input({ nodes, policy: policy({ concurrency: k }) }))).toEqual(grants);
  });

  it('when the caller hands over the migration order it keeps, then it is used as it is and the grants are the same', () => {
    const nodes = [node('w10'), node('w2'), node('c0', { cp: true }), node('w1', { phase: 'Done' })];
    const order = ['w1', 'w2', 'w10', 'c0'];
    expect(granted(input({ nodes, order, policy: policy({ concurrency: 2 }) }))).toEqual(['w2', 'w10']);
    expect(granted(input({ nodes, policy: policy({ concurrency: 2 }) }))).toEqual(['w2', 'w10']);
    // The order given is the one followed: nothing sorts it again per decision.
    expect(granted(input({ nodes, order: ['w10', 'w2', 'w1', 'c0'], policy: policy({ concurrency: 1 }) }))).toEqual(['w10']);
  });

  it('when the coordinator runs on a worker, then that worker goes last among the workers', () => {
    expect(granted(input({ nodes: [node('a'), node('b')], selfNode: 'a' }))).toEqual(['b']);
  });

  it('when every slot is held, then nothing is granted and nothing is reported held', () => {
    const d = decideRollout(input({ nodes: [node('a', { phase: 'Draining' }), node('b')], holders: new Map([[0, 'a']]) }));
    expect(d).toEqual({ grants: [], held: [], gatesChecked: false });
  });

  it('when a started node lost its grant, then it gets one before any pending node, even while paused', () => {
    const nodes = [node('a'), node('z', { phase: 'Rebooting' })];
    expect(decideRollout(input({ nodes, policy: policy({ paused: true }) })).grants).toEqual([{ slot: 0, node: 'z' }]);
  });

  it('when an operator asks a halted node for a retry, then it gets a grant although the rollout is halted', () => {
    const nodes = [node('a'), node('h', { phase: 'Halted', haltReason: 'ping failed', request: 'retry' })];
    expect(granted(input({ nodes }))).toEqual(['h']);
  });
});

describe('decideRollout: holds of the whole rollout', () => {
  it.each([
    { why: 'paused', over: { policy: policy({ paused: true }) }, held: ['a:paused'] },
    { why: 'the spec is invalid', over: { specError: 'spec.concurrency: too big' }, held: ['a:spec'] },
    { why: 'the Cilium gate is closed', over: { gates: [{ name: 'waiting for Cilium', reason: '1 of 3 pods Ready' }] }, held: ['a:gate'] },
    {
      why: 'a node is halted',
      over: { nodes: [node('a'), node('b'), node('h', { phase: 'Halted', haltReason: 'ping failed' })] },
      held: ['a:halted'],
    },
  ])('when $why, then nothing starts and the next node is held with the reason', ({ over, held }) => {
    const i = input({ nodes: [node('a'), node('b')], policy: policy({ concurrency: 2 }), ...over });
    expect(granted(i)).toEqual([]);
    expect(heldBy(i)).toEqual(held);
  });

  it('when there is no Migration, then nothing starts', () => {
    expect(decideRollout(input({ nodes: [node('a')], policy: undefined }))).toEqual({ grants: [], held: [], gatesChecked: false });
  });

  it('when a gate holds, then its name and reason are the log line, and the gates count as consulted', () => {
    const d = decideRollout(input({ nodes: [node('a')], gates: [{ name: 'preflight', reason: 'Calico uses BGP' }] }));
    expect(d.held).toEqual([{ node: 'a', by: 'gate', reason: 'preflight: Calico uses BGP' }]);
    expect(d.gatesChecked).toBe(true);
  });

  it('when paused, then the gates are not consulted', () => {
    expect(decideRollout(input({ nodes: [node('a')], policy: policy({ paused: true }) })).gatesChecked).toBe(false);
  });
});

describe('decideRollout: canary (spec.pauseAfter)', () => {
  it.each([
    { why: 'none started, pauseAfter 2, k 3: two start, the third waits', done: 0, k: 3, after: 2, grants: ['n0', 'n1'], held: ['n2:canary'] },
    { why: 'two done, pauseAfter 2: none starts', done: 2, k: 1, after: 2, grants: [], held: ['n2:canary'] },
    { why: 'two done, raised to 3: one more starts', done: 2, k: 2, after: 3, grants: ['n2'], held: ['n3:canary'] },
    { why: 'two done, removed: the rollout goes on', done: 2, k: 2, after: undefined, grants: ['n2', 'n3'], held: [] },
    { why: 'pauseAfter 1, k 1: the first node starts alone', done: 0, k: 1, after: 1, grants: ['n0'], held: [] },
  ])('when $why', ({ done, k, after, grants, held }) => {
    const nodes = [0, 1, 2, 3, 4].map((i) => node(`n${i}`, { phase: i < done ? 'Done' : 'Pending' }));
    const i = input({ nodes, policy: policy({ concurrency: k, pauseAfter: after }) });
    expect(granted(i)).toEqual(grants);
    expect(heldBy(i)).toEqual(held);
  });

  it.each([
    { why: 'the canary node is done', nodes: [node('a', { phase: 'Done' }), node('b')], holders: [], paused: true },
    { why: 'the canary node is in flight', nodes: [node('a', { phase: 'Rebooting' }), node('b')], holders: [[0, 'a']], paused: false },
    { why: 'the canary node is granted but still Pending', nodes: [node('a'), node('b')], holders: [[0, 'a']], paused: false },
    { why: 'the canary node is granted in this decision', nodes: [node('a'), node('b')], holders: [], paused: false },
  ] as const)('when $why, then the rollout shows Paused: $paused', ({ nodes, holders, paused }) => {
    const i = input({ nodes: [...nodes], holders: new Map(holders.map(([s, n]) => [s, n])), policy: policy({ concurrency: 2, pauseAfter: 1 }) });
    expect(pausedByCanary(decideRollout(i), i)).toBe(paused);
  });

  it('when the canary holds, then the reason says how to go on', () => {
    const nodes = [node('a', { phase: 'Done' }), node('b')];
    const [hold] = decideRollout(input({ nodes, policy: policy({ pauseAfter: 1 }) })).held;
    expect(hold?.reason).toMatch(/raise or remove spec\.pauseAfter/);
  });

  it('when a granted node has not left Pending yet, then it counts as started', () => {
    const i = input({ nodes: [node('a'), node('b')], holders: new Map([[0, 'a']]), policy: policy({ concurrency: 2, pauseAfter: 1 }) });
    expect(granted(i)).toEqual([]);
    expect(heldBy(i)).toEqual(['b:canary']);
  });

  it('when a node was rolled back, then it counts as started', () => {
    const i = input({ nodes: [node('a', { phase: 'RolledBack' }), node('b')], policy: policy({ pauseAfter: 1 }) });
    expect(granted(i)).toEqual([]);
  });
});

describe('decideRollout: zone caps (spec.maxUnavailablePerZone)', () => {
  const zoned = (): RolloutNode[] => [node('a', { zone: 'z1' }), node('b', { zone: 'z1' }), node('c', { zone: 'z2' }), node('d', { zone: 'z2' })];

  it.each([
    { why: 'cap 1, k 4: one per zone starts, the others are skipped', cap: 1, k: 4, grants: ['a', 'c'], held: ['b:zone', 'd:zone'] },
    { why: 'cap 2, k 3: slots run out first', cap: 2, k: 3, grants: ['a', 'b', 'c'], held: [] },
    { why: 'cap 1, k 1: only the slot limits', cap: 1, k: 1, grants: ['a'], held: [] },
  ])('when $why', ({ cap, k, grants, held }) => {
    const i = input({ nodes: zoned(), policy: policy({ concurrency: k, maxUnavailablePerZone: cap }) });
    expect(granted(i)).toEqual(grants);
    expect(heldBy(i)).toEqual(held);
  });

  it('when a zone already has a node in flight, then the next node of another zone goes first', () => {
    const nodes = [node('a', { zone: 'z1', phase: 'Rebooting' }), node('b', { zone: 'z1' }), node('c', { zone: 'z2' })];
    const i = input({ nodes, holders: new Map([[0, 'a']]), policy: policy({ concurrency: 2, maxUnavailablePerZone: 1 }) });
    expect(granted(i)).toEqual(['c']);
    expect(decideRollout(i).held).toEqual([{ node: 'b', by: 'zone', reason: 'zone z1 has 1 node(s) in flight (spec.maxUnavailablePerZone)' }]);
  });

  it('when nodes have no zone label, then they share one zone', () => {
    const i = input({ nodes: [node('a'), node('b'), node('c', { zone: 'z2' })], policy: policy({ concurrency: 3, maxUnavailablePerZone: 1 }) });
    expect(granted(i)).toEqual(['a', 'c']);
    expect(heldBy(i)).toEqual(['b:zone']);
  });

  it('when a halted node stays cordoned in a zone, then it still counts against the cap there', () => {
    const nodes = [node('a', { zone: 'z1', phase: 'Halted', request: 'rollback', haltReason: 'x' }), node('b', { zone: 'z1' }), node('c', { zone: 'z2' })];
    const i = input({ nodes, holders: new Map([[0, 'a']]), policy: policy({ concurrency: 3, maxUnavailablePerZone: 1 }) });
    expect(granted(i)).toEqual([]);
    expect(heldBy(i)).toEqual(['b:halted']);
  });
});

describe('decideRollout: peer avoidance', () => {
  it('when a pending node hosts a peer of a validation in progress, then it and every node after it wait', () => {
    const nodes = [node('a'), node('b'), node('c'), node('v', { phase: 'Validating' })];
    const i = input({ nodes, holders: new Map([[0, 'v']]), policy: policy({ concurrency: 4 }), peerHosts: new Set(['b']) });
    expect(granted(i)).toEqual(['a']);
    expect(heldBy(i)).toEqual(['b:peer']);
  });

  it('when the first pending node hosts a peer, then nothing starts', () => {
    const i = input({ nodes: [node('a'), node('b')], policy: policy({ concurrency: 2 }), peerHosts: new Set(['a']) });
    expect(granted(i)).toEqual([]);
  });

  it('when the peer host is beyond the free slots, then it is not reported', () => {
    const i = input({ nodes: [node('a'), node('b')], policy: policy({ concurrency: 1 }), peerHosts: new Set(['b']) });
    expect(granted(i)).toEqual(['a']);
    expect(heldBy(i)).toEqual([]);
  });
});

describe('decideStep: pause holds the next step of a node in flight', () => {
  const cordoned = { state: state({ phase: 'Cordoning' }), obs: obs({ unschedulable: true }), now: later(1000), settings };

  it('when not paused, then a cordoned node moves on to Draining', () => {
    expect(decideStep({ ...cordoned, paused: false }).step.state.phase).toBe('Draining');
  });

  it('when paused, then it stays in Cordoning, says so, and still runs its step', () => {
    const step = decideStep({ ...cordoned, obs: obs({ unschedulable: false }), now: later(1000), paused: true });
    expect(step.step.state.phase).toBe('Cordoning');
    expect(step.step.effects).toEqual({ unschedulable: true });
    expect(step.held).toMatch(/paused/);
    const moved = decideStep({ ...cordoned, paused: true });
    expect(moved.step.state.phase).toBe('Cordoning');
    expect(moved.step.patch).toEqual({});
    expect(moved.held).toMatch(/paused/);
  });

  it('when paused and the step passes its deadline, then the node still halts', () => {
    const late = { ...cordoned, obs: obs({ unschedulable: false }), now: later(settings.drainTimeoutMs + 1), paused: true };
    expect(decideStep(late).step.state.phase).toBe('Halted');
  });

  it('when paused and an operator asks a halted node for a retry, then the retry proceeds', () => {
    const halted = state({ phase: 'Halted', failedPhase: 'Rebooting', haltReason: 'x', request: 'retry', phaseSince: T0 });
    expect(decideStep({ state: halted, obs: obs(), now: later(1), settings, paused: true }).step.state.phase).toBe('Rebooting');
  });

  describe('slots freed by finished nodes and taken by nobody', () => {
    const gate = { name: 'waiting for Cilium', reason: '9 of 10 pods Ready' };

    it('when the next node waits only for a validation peer or a gate, then their release is not written (the next grant writes over it)', () => {
      const byPeer = decideRollout(input({ policy: policy({ concurrency: 2 }), nodes: [node('a', { phase: 'Validating' }), node('b')], holders: new Map([[0, 'a']]), peerHosts: new Set(['b']) }));
      expect(byPeer.held.map((h) => h.by)).toEqual(['peer']);
      expect(releaseFreedSlots(byPeer)).toBe(false);
      const byGate = decideRollout(input({ nodes: [node('a', { phase: 'Done' }), node('b')], gates: [gate] }));
      expect(byGate.held.map((h) => h.by)).toEqual(['gate']);
      expect(releaseFreedSlots(byGate)).toBe(false);
    });

    it('when a hold can last (paused, halted, canary) or no node is left to grant, then their release is written', () => {
      const paused = decideRollout(input({ policy: policy({ paused: true }), nodes: [node('a', { phase: 'Done' }), node('b')], gates: [gate] }));
      expect(paused.held.map((h) => h.by)).toEqual(['paused']);
      expect(releaseFreedSlots(paused)).toBe(true);
      const halted = decideRollout(input({ nodes: [node('a', { phase: 'Halted', haltReason: 'x' }), node('b')] }));
      expect(releaseFreedSlots(halted)).toBe(true);
      const canary = decideRollout(input({ policy: policy({ pauseAfter: 1 }), nodes: [node('a', { phase: 'Done' }), node('b')] }));
      expect(canary.held.map((h) => h.by)).toEqual(['canary']);
      expect(releaseFreedSlots(canary)).toBe(true);
      const allDone = decideRollout(input({ nodes: [node('a', { phase: 'Done' }), node('b', { phase: 'Done' })] }));
      expect(releaseFreedSlots(allDone)).toBe(true);
    });
  });
});
