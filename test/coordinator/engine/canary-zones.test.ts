import { afterEach, describe, expect, it } from '@jest/globals';
import { isInFlight, PhaseSchema, type Phase } from '../../../shared/phases.js';
import { Harness, workers } from './harness.js';

describe('engine: canary and zone caps', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  it('when spec.pauseAfter is 1, then one node migrates, the rollout shows Paused, and raising it lets the rest go', async () => {
    h = new Harness(workers(3));
    h.cluster.setMigration({ concurrency: 2, pauseAfter: 1 });
    await h.startEngine();
    h.startAgents();
    await h.waitFor(() => h!.cluster.migrationStatus()['phase'] === 'Paused', 60_000, 'the rollout Paused after the canary');
    expect(h.cluster.phaseOf('w1')).toBe('Done');
    expect([h.cluster.phaseOf('w2'), h.cluster.phaseOf('w3')]).toEqual([undefined, undefined]);
    h.cluster.setMigration({ concurrency: 2, pauseAfter: 3 });
    await h.waitFor(() => h!.allIn('Done'), 60_000, 'every worker Done');
    // The status is written at most once a second: wait for the write that follows the last node.
    await h.waitFor(() => h!.cluster.migrationStatus()['phase'] === 'Completed', 60_000, 'status Completed');
  });

  it('when spec.maxUnavailablePerZone is 1, then never two nodes of one zone are in flight, and every node is migrated', async () => {
    h = new Harness([
      { name: 'a1', zone: 'z1' },
      { name: 'a2', zone: 'z1' },
      { name: 'b1', zone: 'z2' },
      { name: 'b2', zone: 'z2' },
    ]);
    h.cluster.setMigration({ concurrency: 4, maxUnavailablePerZone: 1 });
    const phases = new Map<string, Phase>();
    const zoneOf = (n: string): string => n.slice(0, 1);
    let maxPerZone = 0;
    let maxOverall = 0;
    h.cluster.onPhase = (node, phase) => {
      phases.set(node, PhaseSchema.catch('Pending').parse(phase));
      const inFlight = [...phases].filter(([, p]) => isInFlight(p)).map(([n]) => zoneOf(n));
      maxOverall = Math.max(maxOverall, inFlight.length);
      for (const z of new Set(inFlight)) maxPerZone = Math.max(maxPerZone, inFlight.filter((x) => x === z).length);
    };
    await h.startEngine();
    h.startAgents();
    await h.waitFor(() => h!.allIn('Done'), 60_000, 'every node Done');
    expect(maxPerZone).toBe(1);
    expect(maxOverall).toBe(2);
  });
});
