import { describe, expect, it } from '@jest/globals';
import { runRollout } from './support.js';

describe('end to end: pre-flight on the simulated cluster', () => {
  it('when Calico autodetects firstFound, then the rollout halts on pre-flight before any node is cordoned', async () => {
    const { summary, ok } = await runRollout({ nodes: 3, scenario: 'first-found' });
    expect(ok).toBe(true);
    expect(summary).toMatchObject({ migrated: 0, failed: 0, maxInFlight: 0, maxRebootsPerNode: 0 });
    expect(summary.halted?.reason).toMatch(/^pre-flight: Calico's address autodetection is firstFound/);
  });

  it("when Calico runs on its default 192.168.0.0/16, then every node is migrated and validated with no CIDR given", async () => {
    const { summary, ok } = await runRollout({ nodes: 3, calicoPool: '192.168.0.0/16' });
    expect(ok).toBe(true);
    expect(summary).toMatchObject({ nodes: 3, migrated: 3, failed: 0, halted: null });
  });
});
