import { describe, expect, it } from '@jest/globals';
import { expectOk, FAST_DEADLINES, runRollout } from './support.js';
import { renderSummary } from '../../sim/demo/summary.js';

const fast = { coordinator: FAST_DEADLINES };

describe('end to end: failures halt the rollout', () => {
  it('when a PodDisruptionBudget can never allow an eviction, then pre-flight halts the rollout before any node, naming the PDB and its fix', async () => {
    const { summary, apiRequests } = await runRollout({ nodes: 4, scenario: 'pdb-blocked' }, fast);
    expect(summary.halted).toMatchObject({ node: '', step: null });
    expect(summary.halted?.reason).toContain('sim-never-allows');
    expect(summary.halted?.next).toEqual([expect.stringMatching(/^kubectl -n demo patch pdb sim-never-allows-web /), 'cni-migrate preflight']);
    expect(summary.maxInFlight).toBe(0);
    // The demo's summary ends with what to do next: the fix, the command that lists every blocker, the demo's own way on.
    expect(renderSummary(summary).filter((l) => l !== '').slice(-3)).toEqual([
      expect.stringMatching(/^ {2}kubectl -n demo patch pdb sim-never-allows-web /),
      expect.stringMatching(/^ {2}cni-migrate preflight +# every blocker and warning/),
      'In this demo, `npm run demo -- --scenario pdb-blocked --then retry` lifts the fault and retries.',
    ]);
    // While the drain waits on the PDB the coordinator must stay quiet: a status write loop once sent
    // thousands of Migration status patches during a few seconds of blocked drain.
    const statusWrites = (apiRequests ?? [])
      .filter((c) => c.resource === 'migrations' && c.subresource === 'status')
      .reduce((n, c) => n + c.count, 0);
    expect(statusWrites).toBeGreaterThan(0);
    expect(statusWrites).toBeLessThan(30);
  });

  it("when Cilium's host legacy routing is turned off after the first node, then the probe loses probes between migrated and unmigrated nodes, the migration was not zero-downtime, and the rollout halts", async () => {
    const { summary, ok } = await runRollout({ nodes: 5, scenario: 'no-legacy-routing' }, fast);
    expectOk({ ok, summary });
    expect(summary).toMatchObject({ migrated: 1, failed: 1 });
    expect(summary.halted?.node).toBe('sim-worker-2');
    // Whichever sees it first halts the node in flight: the probe, or its own validation's pings.
    expect(summary.halted?.reason).toMatch(/^probe: |no route between CNIs/);
    expect(summary.probe?.zeroDowntime).toBe(false);
    expect(summary.probe?.pairings['calico-cilium']?.lost).toBeGreaterThan(0);
    expect(summary.probe?.pairings['calico-calico']).toMatchObject({ lost: 0, broken: 0 });
  });

  it('when a node never comes back from its reboot, then the rollout halts on it and touches no other node', async () => {
    const { summary, ok } = await runRollout({ nodes: 4, scenario: 'node-never-returns' }, fast);
    expectOk({ ok, summary });
    expect(summary.halted?.node).toBe('sim-worker-1');
    expect(summary).toMatchObject({ migrated: 0, failed: 1, maxInFlight: 1 });
  });

  it('when the Cilium pod never turns Ready, then the rollout halts on that node', async () => {
    const { summary, ok } = await runRollout({ nodes: 4, scenario: 'cilium-never-ready' }, fast);
    expectOk({ ok, summary });
    expect(summary.halted?.reason).toMatch(/cilium/i);
    expect(summary).toMatchObject({ migrated: 0, failed: 1 });
  });

  it('when DNS fails on a node after its reboot, then the rollout halts naming the DNS check', async () => {
    const { summary, ok } = await runRollout({ nodes: 4, scenario: 'dns-broken-on-node' }, fast);
    expectOk({ ok, summary });
    expect(summary.halted?.reason).toContain('dns');
    expect(summary).toMatchObject({ migrated: 0, failed: 1, maxRebootsPerNode: 1 });
  });

  it('when DNS fails and autoRollback is on, then the node is rolled back to Calico (rebooted twice) and the rollout halts', async () => {
    const { summary } = await runRollout({ nodes: 4, scenario: 'dns-broken-on-node' }, { ...fast, autoRollback: true });
    expect(summary.halted).not.toBeNull();
    expect(summary).toMatchObject({ migrated: 0, failed: 1, maxRebootsPerNode: 2 });
  });
});
