/**
 * The cluster reader against the simulated API server after seeding: every object pre-flight needs is read
 * through client-node, and an absent kind (no Calico CRDs) reads as empty rather than failing.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startApiServer, type SimApiServer } from '../../../sim/apiserver/index.js';
import { seedCluster } from '../../../sim/cluster/seed/index.js';
import { readClusterFacts } from '../../../coordinator/kube/cluster-objects.js';

let api: SimApiServer;
let bare: SimApiServer;

beforeAll(async () => {
  [api, bare] = await Promise.all([startApiServer(), startApiServer()]);
  await seedCluster(api.kubeConfig(), { withoutDemoWorkloads: true });
});

afterAll(async () => {
  await Promise.all([api.close(), bare.close()]);
});

describe('readClusterFacts', () => {
  it('when the seeded cluster is read, then Calico, Cilium and the CiliumNodeConfig are found as seeded', async () => {
    const facts = await readClusterFacts(api.kubeConfig(), { helm: true });
    expect(facts.calico.install).toBe('manifest');
    expect(facts.calico.ipPools.map((p) => p.cidr)).toEqual(['10.244.0.0/16']);
    expect(facts.calico.felix.vxlanPort).toBe(4789);
    expect(facts.cilium.config?.clusterPoolIPv4Cidrs).toEqual(['10.245.0.0/16']);
    expect(facts.cilium.config?.tunnelPort).toBe(8473);
    expect(facts.cilium.nodeConfig).toMatchObject({ version: 'v2', exists: true, selectsMigrationLabel: true });
    expect(facts.cilium.daemonSetFound).toBe(true);
  });

  it('when a cluster has neither CNI, then every kind reads as absent or empty', async () => {
    const facts = await readClusterFacts(bare.kubeConfig(), { helm: true });
    expect(facts.calico).toMatchObject({ install: 'absent', ipPools: [], policies: [] });
    expect(facts.cilium).toMatchObject({ config: undefined, helm: 'absent', nodeConfig: { exists: false, servedVersions: [] } });
  });
});
