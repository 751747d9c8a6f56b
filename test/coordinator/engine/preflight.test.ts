import { afterEach, describe, expect, it } from '@jest/globals';
import { calicoNodeDs, seedLikeCluster } from '../../support/cluster-objects.js';
import { Harness, waitForChange, workers } from './harness.js';

const firstFound = () => ({ ...seedLikeCluster(), calicoNodes: [calicoNodeDs('kube-system', { IP_AUTODETECTION_METHOD: 'first-found' })] });

describe('engine: pre-flight at the start of the rollout', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  it('when pre-flight finds a blocker, then no node is touched and the status says how to fix it; once fixed and resumed, the rollout runs', async () => {
    h = new Harness(workers(2));
    h.cluster.clusterObjects = firstFound();
    const before = JSON.stringify([h.cluster.node('w1'), h.cluster.node('w2')]);
    await h.startEngine();
    h.startAgents();
    await waitForChange(h.cluster, () => h!.cluster.migrationStatus()['phase'] === 'Halted', 60_000, 'rollout Halted by pre-flight');
    const status = h.cluster.migrationStatus();
    expect(String(status['haltReason'])).toMatch(/^pre-flight: Calico's address autodetection is firstFound.*fix: kubectl -n kube-system set env daemonset\/calico-node IP_AUTODETECTION_METHOD=kubernetes-internal-ip/);
    expect(status['preflight']).toMatchObject({ passed: false, blockers: [{ check: 'calico-autodetection' }], validation: { ciliumCidr: '10.245.0.0/16', calicoCidr: '10.244.0.0/16' } });
    expect(status['conditions']).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'PreflightPassed', status: 'False', reason: 'Blocked' })]));
    expect(JSON.stringify([h.cluster.node('w1'), h.cluster.node('w2')])).toBe(before);
    expect([...h.cluster.leases.values()].filter((l) => l.name.startsWith('cni-migrate-slot-') && l.holder)).toEqual([]);

    h.cluster.clusterObjects = seedLikeCluster();
    h.cluster.setMigration({ concurrency: 2 });
    await h.waitFor(() => h!.allIn('Done'), 60_000, 'all Done after the fix');
    // The status is written at most once a second: wait for the write that follows the fix.
    const passed = (): boolean => (h!.cluster.migrationStatus()['preflight'] as { passed?: boolean } | undefined)?.passed === true;
    await h.waitFor(passed, 60_000, 'status with pre-flight passed');
    expect(h.cluster.migrationStatus()['preflight']).toMatchObject({ passed: true, blockers: [] });
  });
});
