import { describe, expect, it } from '@jest/globals';
import type { Phase } from '../../../shared/phases.js';
import type { ProbeReport } from '../../../shared/probe.js';
import { classifyReport, cniAt, inFlightAt, type NodeTimeline } from '../../../coordinator/core/probe/classify.js';
import { emptyAccumulator, figuresOf, foldBatch, foldSamples, sampleBatch, zeroDowntime, type ClassifiedSample } from '../../../coordinator/core/probe/figures.js';
import { probeBreach, ProbeLimitsSchema } from '../../../coordinator/core/probe/limits.js';
import type { NodeState } from '../../../coordinator/core/node-state.js';
import { transition } from '../../../coordinator/core/transition.js';
import { later, obs, settings, state } from './fixtures.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const node = (name: string, phase: Phase, startedAt?: number, finishedAt?: number): NodeTimeline => ({
  name, phase, attempt: 1,
  startedAt: startedAt === undefined ? undefined : new Date(startedAt),
  finishedAt: finishedAt === undefined ? undefined : new Date(finishedAt),
});
const sample = (at: number, rttMs: number | null, key = 'a>b'): ClassifiedSample => ({ key, pairing: 'calico-cilium', at, rttMs });

describe('the probe figures', () => {
  it.each([
    ['every probe answered', [sample(0, 1), sample(200, 2), sample(400, 3)], { samples: 3, lost: 0, lossPercent: 0, longestGapMs: 0, p50Ms: 2, p99Ms: 3 }],
    ['one probe lost', [sample(0, 1), sample(200, null), sample(400, 1)], { samples: 3, lost: 1, lossPercent: 33.3, longestGapMs: 200 }],
    ['three in a row lost: one gap of three intervals', [sample(0, 1), sample(200, null), sample(400, null), sample(600, null), sample(800, 1)], { lost: 3, longestGapMs: 600 }],
    ['two separate losses: the longest gap is one interval', [sample(0, null), sample(200, 1), sample(400, null)], { lost: 2, longestGapMs: 200 }],
    ['losses on two paths at once do not join into one gap', [sample(0, null, 'a>b'), sample(0, null, 'c>b'), sample(200, 1, 'a>b'), sample(200, 1, 'c>b')], { lost: 2, longestGapMs: 200 }],
    ['nothing answered: no percentiles', [sample(0, null)], { p50Ms: null, p99Ms: null, lossPercent: 100 }],
  ])('when %s, then the pairing figures say so', (_what, samples, expected) => {
    const f = figuresOf(foldSamples(emptyAccumulator(), samples, [], 200));
    expect(f['calico-cilium']).toMatchObject(expected);
  });

  it('when a gap spans two reports, then it is one gap', () => {
    const acc = foldSamples(emptyAccumulator(), [sample(0, 1), sample(200, null)], [], 200);
    foldSamples(acc, [sample(400, null), sample(600, 1)], [{ pairing: 'calico-cilium', at: 500 }], 200);
    expect(figuresOf(acc)['calico-cilium']).toMatchObject({ lost: 2, longestGapMs: 400, broken: 1 });
  });

  it('when a path answers again in a later report, then its run of losses ends there: a later loss starts a new gap', () => {
    const acc = foldSamples(emptyAccumulator(), [sample(0, 1), sample(200, null), sample(400, null)], [], 200);
    foldSamples(acc, [sample(600, 1), sample(800, 1)], [], 200);
    foldSamples(acc, [sample(1000, null), sample(1200, 1)], [], 200);
    expect(figuresOf(acc)['calico-cilium']).toMatchObject({ samples: 7, lost: 3, longestGapMs: 400, p50Ms: 1 });
  });

  it('when one batch of probes is folded into two accumulators, then each gets the figures of folding the probes themselves', () => {
    const probes = [sample(0, 1, 'a>b'), sample(0, null, 'c>b'), sample(200, 3, 'a>b'), { ...sample(200, 2, 'c>s'), pairing: 'service' as const }];
    const batch = sampleBatch(probes, [{ pairing: 'calico-cilium', at: 100 }]);
    const [one, two] = [foldBatch(emptyAccumulator(), batch, 200), foldBatch(emptyAccumulator(), batch, 200)];
    const expected = figuresOf(foldSamples(emptyAccumulator(), probes, [{ pairing: 'calico-cilium', at: 100 }], 200));
    expect(figuresOf(one)).toEqual(expected);
    expect(figuresOf(two)).toEqual(expected);
    expect(expected['calico-cilium']).toMatchObject({ samples: 3, lost: 1, broken: 1, p99Ms: 3 });
  });

  it.each([
    [[sample(0, 1)], true],
    [[sample(0, null)], false],
    [[], null],
  ])('when the samples are %j, then zero downtime is %s', (samples, expected) => {
    expect(zeroDowntime(figuresOf(foldSamples(emptyAccumulator(), samples, [], 200)))).toBe(expected);
  });
});

describe('sorting probes into pairings', () => {
  const nodes = new Map<string, NodeTimeline>([
    ['w1', node('w1', 'Done', T0, T0 + 10_000)],
    ['w2', node('w2', 'Validating', T0 + 10_000)],
    ['w3', node('w3', 'Pending')],
    ['w4', node('w4', 'Pending')],
  ]);
  const report = (from: string, target: string, at: number, ip = '10.0.0.9'): ProbeReport => ({
    nodeName: from, podName: `probe-${from}`, podIP: '10.0.0.1',
    series: [{ target, ip, samples: [[at, null]], broken: [] }],
  });
  const classify = (r: ProbeReport, since = T0 + 10_000, at = T0 + 12_000) => classifyReport({ report: r, nodes, currentIp: () => ({ ip: '10.0.0.9', since, at }) });

  it.each([
    ['a migrated node to an unmigrated one, after the first was Done', report('w1', 'w3', T0 + 12_000), 'calico-cilium'],
    ['two unmigrated nodes', report('w3', 'w4', T0 + 12_000), 'calico-calico'],
    ['a migrated node before it was Done counts as its old CNI… but it was in flight then', report('w1', 'w3', T0 + 5_000), undefined],
    ['any node through the Service', report('w3', 'service', T0 + 12_000), 'service'],
    ['a node in flight (drained, rebooting on purpose)', report('w3', 'w2', T0 + 12_000), undefined],
    ['a target pod since replaced', report('w3', 'w4', T0 + 12_000, '10.0.0.8'), undefined],
  ])('when the probe goes from %s, then its pairing is %s', (_what, r, pairing) => {
    const c = classify(r);
    expect(c.samples[0]?.pairing).toBe(pairing);
    expect(c.excluded).toBe(pairing === undefined ? 1 : 0);
  });

  it('when a node is back from its hand-off but its new probe pod has not reported yet, then probes to it are left out', () => {
    expect(classify(report('w3', 'w1', T0 + 12_000), T0 - 1).excluded).toBe(1);
    expect(classify(report('w3', 'w1', T0 + 12_000), T0 + 3_000).samples[0]?.pairing).toBe('calico-cilium');
  });

  it('when an address first heard during the hand-off has not been heard since it ended, then probes to it after the end are left out (it may be the old pod\'s, first reported after the grant)', () => {
    expect(classify(report('w3', 'w1', T0 + 12_000), T0 + 3_000, T0 + 9_000).excluded).toBe(1);
    expect(classify(report('w3', 'w1', T0 + 12_000), T0 + 3_000, T0 + 10_500).samples[0]?.pairing).toBe('calico-cilium');
  });

  it("when a coordinator that started leading after a hand-off has not heard the node's new probe pod, then probes to the node are left out", () => {
    const unheard = (r: ProbeReport) => classifyReport({ report: r, nodes, currentIp: () => undefined });
    expect(unheard(report('w3', 'w1', T0 + 12_000)).excluded).toBe(1);
    expect(unheard(report('w3', 'w4', T0 + 12_000)).samples[0]?.pairing).toBe('calico-calico');
  });

  it('when a node is in flight at the probe time, then the probe also counts for that hand-off', () => {
    const c = classify(report('w1', 'w3', T0 + 12_000));
    expect([...c.byHandOff.keys()]).toEqual(['w2#1']);
    expect(classify(report('w3', 'w4', T0 + 9_000)).byHandOff.has('w1#1')).toBe(true);
  });

  it('when hand-offs are in flight across the whole report, then they share its counted probes (one part, not a copy per hand-off), and one that ends within it gets only the probes before its end', () => {
    const flying = new Map<string, NodeTimeline>([
      ['a', node('a', 'Draining', T0)],
      ['b', node('b', 'Rebooting', T0 + 500)],
      ['c', node('c', 'Done', T0, T0 + 1_300)],
      ['w3', node('w3', 'Pending')],
      ['w4', node('w4', 'Pending')],
    ]);
    const r: ProbeReport = {
      nodeName: 'w3', podName: 'probe-w3', podIP: '10.0.0.1',
      series: [{ target: 'w4', ip: '10.0.0.9', samples: [[T0 + 1_000, 1], [T0 + 1_200, 1], [T0 + 1_400, null]], broken: [] }],
    };
    const c = classifyReport({ report: r, nodes: flying, currentIp: () => ({ ip: '10.0.0.9', since: T0, at: T0 }) });
    expect([...c.byHandOff.keys()]).toEqual(['a#1', 'b#1', 'c#1']);
    expect(c.byHandOff.get('a#1')?.samples).toBe(c.samples);
    expect(c.byHandOff.get('b#1')?.samples).toBe(c.samples);
    expect(c.byHandOff.get('c#1')?.samples.map((s) => s.at)).toEqual([T0 + 1_000, T0 + 1_200]);
  });

  it.each([
    [node('w', 'Pending'), T0, false, 'calico'],
    [node('w', 'Draining', T0), T0 + 1, true, 'calico'],
    [node('w', 'Done', T0, T0 + 5), T0 + 4, true, 'calico'],
    [node('w', 'Done', T0, T0 + 5), T0 + 5, false, 'cilium'],
    [node('w', 'RolledBack', T0, T0 + 5), T0 + 6, false, 'calico'],
  ])('when the node is %j at %d, then in flight is %s and its CNI %s', (n, at, flying, cni) => {
    expect(inFlightAt(n, at)).toBe(flying);
    expect(cniAt(n, at)).toBe(cni);
  });
});

describe('the probe thresholds', () => {
  const figures = (lost: number, samples: number, gap = 0, broken = 0) =>
    ({ 'calico-cilium': { samples, lost, lossPercent: Math.round((lost / samples) * 1000) / 10, longestGapMs: gap, p50Ms: 1, p99Ms: 2, broken } });
  it.each([
    [{}, figures(50, 100), undefined],
    [{ maxLossPercent: 1 }, figures(50, 100), 'probe: calico-cilium lost 50% of 100 probes (spec.probe.maxLossPercent 1)'],
    [{ maxLossPercent: 1 }, figures(1, 100), undefined],
    [{ maxLossPercent: 1 }, figures(5, 10), undefined],
    [{ maxGapMs: 1000 }, figures(6, 100, 1200), 'probe: calico-cilium went unanswered for 1200 ms (spec.probe.maxGapMs 1000)'],
    [{ maxBrokenConnections: 0 }, figures(0, 100, 0, 1), 'probe: calico-cilium broke 1 held connections (spec.probe.maxBrokenConnections 0)'],
  ])('when the limits are %j, then the breach is as expected', (limits, f, expected) => {
    expect(probeBreach(f, ProbeLimitsSchema.parse(limits))).toBe(expected);
  });
});

describe('a probe breach during a hand-off', () => {
  const breach = 'probe: calico-cilium lost 50% of 100 probes (spec.probe.maxLossPercent 1)';
  it.each([
    ['Draining', 'migrate', 'Halted'],
    ['Validating', 'migrate', 'Halted'],
    ['RollbackUnlabeling', 'rollback', 'RollbackRestoringCniFiles'],
    ['Halted', 'migrate', 'Halted'],
    ['Done', 'migrate', 'Done'],
  ] as const)('when the node is in %s (%s), then it goes to %s', (phase, direction, to) => {
    const d = transition(state({ phase, direction, unschedulable: true } as Partial<NodeState>), obs({ probeBreach: breach, unschedulable: true, granted: true, labeled: false }), later(1000), settings);
    expect(d.phase).toBe(to);
    if (to === 'Halted' && phase !== 'Halted') expect(d.state).toMatchObject({ haltReason: breach, failedPhase: phase });
  });
});
