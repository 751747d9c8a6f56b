import { describe, expect, it } from '@jest/globals';
import { expectOk, runRollout } from './support.js';

describe('end to end: the happy path on the simulated cluster', () => {
  it('when concurrency is 1, then every node is migrated once, rebooted once, one at a time', async () => {
    const { summary, ok } = await runRollout({ nodes: 5, concurrency: 1 });
    expectOk({ ok, summary });
    expect(summary).toMatchObject({ nodes: 5, migrated: 5, failed: 0, halted: null, maxInFlight: 1, maxRebootsPerNode: 1 });
    expect(summary.handoffMs?.p50).toBeLessThan(2000);
    // Every API request of the coordinator and the agents, per migrated node (evictions excluded).
    expect(summary.apiRequestsPerNode ?? Infinity).toBeLessThan(150);
    // The probe pods exchanged probes between every kind of pair and through the Service, and lost none.
    expect(summary.probe?.zeroDowntime).toBe(true);
    for (const pairing of ['calico-calico', 'calico-cilium', 'cilium-cilium', 'service'] as const) {
      expect(summary.probe?.pairings[pairing]).toMatchObject({ lost: 0, broken: 0, lossPercent: 0, longestGapMs: 0 });
      expect(summary.probe?.pairings[pairing]?.samples).toBeGreaterThan(0);
    }
  });

  it('when concurrency is 3, then every node is migrated with never more than 3 in flight', async () => {
    const { summary, ok } = await runRollout({ nodes: 7, concurrency: 3 });
    expectOk({ ok, summary });
    expect(summary).toMatchObject({ nodes: 7, migrated: 7, halted: null, maxRebootsPerNode: 1 });
    expect(summary.maxInFlight).toBeGreaterThan(1);
    expect(summary.maxInFlight).toBeLessThanOrEqual(3);
  });
});
