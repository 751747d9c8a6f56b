import { describe, expect, it } from '@jest/globals';
import { Registry } from 'prom-client';
import { PROBE_INTERVAL_MS, type ProbeReport } from '../../../shared/probe.js';
import { MAX_PROBES_PER_SECOND, MAX_REPORTS_PER_SECOND, paceFor } from '../../../coordinator/core/probe/pace.js';
import { PEERS_PER_POD } from '../../../coordinator/core/probe/peer-ring.js';
import type { NodeTimeline } from '../../../coordinator/core/probe/classify.js';
import { PEER_FRESH_MS, ProbeLedger } from '../../../coordinator/engine/probe-ledger.js';
import { ProbeMetrics } from '../../../coordinator/engine/probe-metrics.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const names = (n: number): string[] => Array.from({ length: n }, (_, i) => `w-${String(i).padStart(4, '0')}`);
const ipOf = (i: number): string => `10.244.${Math.floor(i / 200)}.${(i % 200) + 1}`;
const report = (nodeName: string, podIP: string): ProbeReport => ({ nodeName, podName: `probe-${nodeName}`, podIP, series: [] });

function ledger(nodes: readonly string[], clock: { now: number }): ProbeLedger {
  const timelines = new Map<string, NodeTimeline>(nodes.map((name) => [name, { name, phase: 'Pending', attempt: 0, startedAt: undefined, finishedAt: undefined }]));
  return new ProbeLedger({ nodes: () => timelines, limits: () => undefined, now: () => new Date(clock.now), metrics: new ProbeMetrics(new Registry()), breached: () => undefined });
}

describe('the probe ledger answering a report', () => {
  it('when 1,000 probe pods report, then each answer names a bounded set of peers, and every pod is some answers\' peer', () => {
    const all = names(1000);
    const clock = { now: T0 };
    const l = ledger(all, clock);
    all.forEach((n, i) => l.record(report(n, ipOf(i))));
    const probedBy = new Map<string, number>();
    for (const [i, n] of all.entries()) {
      const peers = l.record(report(n, ipOf(i))).peers;
      expect(peers).toHaveLength(PEERS_PER_POD);
      expect(peers.map((p) => p.node)).not.toContain(n);
      for (const p of peers) {
        expect(p.ip).toBe(ipOf(all.indexOf(p.node)));
        probedBy.set(p.node, (probedBy.get(p.node) ?? 0) + 1);
      }
    }
    expect(probedBy.size).toBe(1000);
    expect(Math.min(...probedBy.values())).toBe(PEERS_PER_POD);
  });

  it('when a few pods report, then each probes all the others, and not a pod silent for too long', () => {
    const all = names(4);
    const clock = { now: T0 };
    const l = ledger(all, clock);
    all.forEach((n, i) => l.record(report(n, ipOf(i))));
    expect(l.record(report('w-0000', ipOf(0))).peers.map((p) => p.node).sort()).toEqual(['w-0001', 'w-0002', 'w-0003']);
    clock.now += PEER_FRESH_MS + 1;
    l.record(report('w-0001', '10.245.9.9'));
    expect(l.record(report('w-0000', ipOf(0))).peers).toEqual([{ node: 'w-0001', ip: '10.245.9.9' }]);
  });

  it('when 5,000 pods report, then each answer asks for a pace that keeps the reports and probes under the rates, and a pod silent for two periods stays a peer', () => {
    const all = names(5000);
    const clock = { now: T0 };
    const l = ledger(all, clock);
    all.forEach((n, i) => l.record(report(n, ipOf(i))));
    const answer = l.record(report('w-0000', ipOf(0)));
    expect(answer).toMatchObject(paceFor(5000));
    const { minReportPeriodMs = 0, probeIntervalMs = 0 } = answer;
    expect((5000 * 1000) / minReportPeriodMs).toBeLessThanOrEqual(MAX_REPORTS_PER_SECOND);
    expect((5000 * (PEERS_PER_POD + 1) * 1000) / probeIntervalMs).toBeLessThanOrEqual(MAX_PROBES_PER_SECOND);
    clock.now += 2 * minReportPeriodMs;
    expect(l.record(report('w-0000', ipOf(0))).peers).toHaveLength(PEERS_PER_POD);
  });

  it('when a few pods report, then the answer asks for the probe\'s own pace: every 200 ms, a report a second at most', () => {
    const l = ledger(names(4), { now: T0 });
    const answer = l.record(report('w-0000', ipOf(0)));
    expect(answer.probeIntervalMs).toBe(PROBE_INTERVAL_MS);
    expect(answer.minReportPeriodMs).toBeLessThanOrEqual(1000);
  });
});

describe('the probe pace', () => {
  it.each([
    [100, 200, 200],
    [1000, 650, 2000],
    [5000, 3250, 10000],
  ])('when %i pods report, then they probe every %i ms and report every %i ms at least', (pods, interval, period) => {
    expect(paceFor(pods)).toEqual({ probeIntervalMs: interval, minReportPeriodMs: period });
  });
});
