import { describe, expect, it } from '@jest/globals';
import type { V1Pod } from '@kubernetes/client-node';
import { readCheckInput } from '../../sim/cluster/check-report.js';
import { ipInCidr } from '../../sim/cluster/network-model.js';
import { expectOk, runRollout } from './support.js';

interface Validation {
  node: string;
  expectedCidr: string;
  podIP: string;
}

/** Each check pod seen: the node it ran on, the CIDR its order expected, and the address it got. */
function checkPods(): { seen: Validation[]; onAgentNamespacePod: (pod: V1Pod) => void } {
  const byUid = new Map<string, Validation>();
  return {
    get seen() {
      return [...byUid.values()];
    },
    onAgentNamespacePod: (pod) => {
      const input = readCheckInput(pod);
      const [node, podIP] = [pod.spec?.nodeName, pod.status?.podIP];
      if (input && node && podIP) byUid.set(pod.metadata?.uid ?? '', { node, expectedCidr: input.expectedCidr, podIP });
    },
  };
}

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

  it('when Calico runs on 192.168.0.0/16 and a node is rolled back, then its rollback is validated on the pool read from the cluster and every node ends migrated and validated', async () => {
    const checks = checkPods();
    const run = await runRollout(
      { nodes: 3, calicoPool: '192.168.0.0/16', scenario: 'dns-broken-on-node', then: 'rollback' },
      { onAgentNamespacePod: checks.onAgentNamespacePod },
    );
    expectOk(run);
    expect(run.summary).toMatchObject({ nodes: 3, migrated: 3, failed: 0, halted: null, then: { request: 'rollback', node: 'sim-worker-1' } });
    const rollback = checks.seen.filter((v) => v.expectedCidr === '192.168.0.0/16');
    expect(rollback.map((v) => v.node)).toEqual(['sim-worker-1']);
    expect(rollback.every((v) => v.podIP.startsWith('192.168.') && ipInCidr(v.podIP, v.expectedCidr))).toBe(true);
    const forward = checks.seen.filter((v) => v.expectedCidr !== '192.168.0.0/16');
    expect(new Set(forward.map((v) => v.expectedCidr))).toEqual(new Set(['10.245.0.0/16']));
    expect(new Set(forward.map((v) => v.node))).toEqual(new Set(['sim-cp-1', 'sim-worker-1', 'sim-worker-2']));
  });
});
