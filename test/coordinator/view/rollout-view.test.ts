/** The status model: counts, ETA, the stage after the rollout, and what a halt or an automatic rollback asks of the operator. */
import { describe, expect, it } from '@jest/globals';
import type { V1Node } from '@kubernetes/client-node';
import { NodeAnnotation } from '../../../shared/names.js';
import { buildRolloutView } from '../../../coordinator/view/rollout-view.js';
import { duration, progressBar, renderRolloutView } from '../../../coordinator/view/render.js';

const now = new Date('2026-01-01T00:10:00Z');
const node = (name: string, a: Record<string, string> = {}): V1Node => ({ metadata: { name, annotations: a } });
const done = (name: string, startedAt: string, finishedAt: string): V1Node =>
  node(name, { [NodeAnnotation.phase]: 'Done', [NodeAnnotation.startedAt]: startedAt, [NodeAnnotation.finishedAt]: finishedAt });

describe('the rollout view', () => {
  it('when two of four nodes took 60 s each at concurrency 1, then the ETA is 120 s', () => {
    const v = buildRolloutView({
      migration: { spec: { concurrency: 1 }, status: { phase: 'Running' } },
      nodes: [done('w1', '2026-01-01T00:00:00Z', '2026-01-01T00:01:00Z'), done('w2', '2026-01-01T00:01:00Z', '2026-01-01T00:02:00Z'), node('w3'), node('w4')],
      now,
    });
    expect(v.counts).toMatchObject({ total: 4, done: 2, pending: 2 });
    expect(v.etaSeconds).toBe(120);
    expect(renderRolloutView(v, 'text')[1]).toBe(`${progressBar(2, 4)} 2/4 done, 0 in flight, 2 pending  ETA 2m00s`);
  });

  it('when no node is done yet, then there is no ETA', () => {
    expect(buildRolloutView({ migration: { spec: {} }, nodes: [node('w1')], now }).etaSeconds).toBeNull();
  });

  it('when a cluster stage runs, then the stage and what it waits for are shown', () => {
    const stage = { stage: 'Promote', step: 'AwaitingPromotion', since: now.toISOString(), waitingFor: 'helm upgrade with values-final.yaml' };
    const v = buildRolloutView({ migration: { spec: {}, status: { phase: 'Promoting', stage } }, nodes: [], now });
    expect(renderRolloutView(v, 'text').slice(0, 1)).toEqual(['Migration default  stage Promote (AwaitingPromotion)  phase Promoting']);
    expect(renderRolloutView(v, 'text')).toContain('waiting for: helm upgrade with values-final.yaml');
  });

  it('when the second rolling reboot runs, then each node shows its step or the boot id it came back with', () => {
    const since = now.toISOString();
    const nodes = [
      { name: 'w1', state: 'Done', since, orderId: 'w1.s0.RebootingNodes', phase: 'Uncordoning', bootIdBefore: 'b1', bootIdAfter: 'b2' },
      { name: 'w2', state: 'Running', since, orderId: 'w2.s0.RebootingNodes', phase: 'Rebooting', bootIdBefore: 'c1' },
    ];
    const stage = { stage: 'RebootNodes', step: 'RebootingNodes', since, nodes };
    const v = buildRolloutView({ migration: { spec: {}, status: { phase: 'RebootingNodes', stage } }, nodes: [], now });
    expect(renderRolloutView(v, 'text')[0]).toBe('Migration default  stage RebootNodes (RebootingNodes)  phase RebootingNodes');
    expect(renderRolloutView(v, 'text')).toContain('reboots: w1 rebooted (boot id b2), w2 Rebooting (boot id before c1)');
  });

  it('when nodes were cleaned, then the wide view shows what each cleanup found and left', () => {
    const line = 'found iptables-rules=48 ipsets=4; left 0';
    const cleaned = node('w1', { [NodeAnnotation.phase]: 'Done', [NodeAnnotation.cleanupInventory]: line });
    const v = buildRolloutView({ migration: { spec: {}, status: { phase: 'CleaningNodes' } }, nodes: [cleaned, node('w2')], now });
    expect(v.nodes.map((n) => n.cleanup)).toEqual([line, undefined]);
    const wide = renderRolloutView(v, 'wide');
    expect(wide.find((l) => l.startsWith('NODE'))).toMatch(/REASON\s+CLEANUP$/);
    expect(wide.find((l) => l.startsWith('w1'))).toMatch(/found iptables-rules=48 ipsets=4; left 0$/);
  });

  it('when a node was rolled back automatically, then the way on is to migrate it again', () => {
    const v = buildRolloutView({
      migration: { spec: {}, status: { phase: 'Halted' } },
      nodes: [node('w1', { [NodeAnnotation.phase]: 'RolledBack', [NodeAnnotation.haltReason]: 'rolled back automatically: dns failed' })],
      now,
    });
    expect(v.halt).toMatchObject({ node: 'w1', next: ['cni-migrate retry w1'] });
    expect(v.etaSeconds).toBeNull();
  });

  it('when the rollout is halted and paused, then resume is among the commands', () => {
    const v = buildRolloutView({
      migration: { spec: { paused: true }, status: { phase: 'Halted' } },
      nodes: [node('w1', { [NodeAnnotation.phase]: 'Halted', [NodeAnnotation.haltReason]: 'x', [NodeAnnotation.failedPhase]: 'Rebooting' })],
      now,
    });
    expect(v.halt?.next).toEqual(['cni-migrate retry w1', 'cni-migrate rollback w1', 'cni-migrate resume']);
  });

  it.each([
    [5, '5s'],
    [75, '1m15s'],
    [3700, '1h01m'],
  ])('when %i seconds are shown, then they read %s', (s, text) => {
    expect(duration(s)).toBe(text);
  });
});

describe('the probe in the status', () => {
  const probe = {
    figures: {
      'calico-calico': { samples: 120, lost: 0, lossPercent: 0, longestGapMs: 0, p50Ms: 0.8, p99Ms: 1.5, broken: 0 },
      'calico-cilium': { samples: 40, lost: 30, lossPercent: 75, longestGapMs: 1400, broken: 2 },
    },
    handOffs: [],
    excluded: 12,
    zeroDowntime: false,
  };

  it('when the status carries probe figures, then status says whether the migration is zero-downtime and gives each pairing', () => {
    const v = buildRolloutView({ migration: { spec: {}, status: { phase: 'Running', probe } }, nodes: [node('w1')], now });
    expect(v.probe?.figures['calico-cilium']).toMatchObject({ lost: 30, p50Ms: null });
    const lines = renderRolloutView(v, 'text');
    expect(lines).toContain('probe: NOT zero-downtime: probes lost or connections broken');
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}calico-cilium +30\/40 lost \(75%\) +gap 1400ms +p50 - +p99 - +broken 2$/));
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}calico-calico +0\/120 lost \(0%\) +gap 0ms +p50 0.8ms +p99 1.5ms +broken 0$/));
  });

  it('when no probe reported, then status shows no probe lines', () => {
    const v = buildRolloutView({ migration: { spec: {}, status: { phase: 'Running' } }, nodes: [node('w1')], now });
    expect(v.probe).toBeNull();
    expect(renderRolloutView(v, 'text').some((l) => l.startsWith('probe:'))).toBe(false);
  });
});
