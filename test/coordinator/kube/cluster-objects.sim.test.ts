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
let operator: SimApiServer;

beforeAll(async () => {
  [api, bare, operator] = await Promise.all([startApiServer(), startApiServer(), startApiServer()]);
  await seedCluster(api.kubeConfig(), { withoutDemoWorkloads: true });
  await seedCluster(operator.kubeConfig(), {
    withoutDemoWorkloads: true,
    calicoInstall: 'operator',
    calicoPool: '192.168.0.0/16',
    ciliumHelm: false,
    calicoPolicies: false,
    breaks: ['first-found', 'bgp-peers'],
  });
});

afterAll(async () => {
  await Promise.all([api.close(), bare.close(), operator.close()]);
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
    expect(facts.network).toMatchObject({ serviceCidrs: ['10.96.0.0/12'], podSubnet: '10.244.0.0/16' });
  });

  it('when Cilium was installed by Helm, then the release Secret decodes to the values it was installed with', async () => {
    const { helm } = (await readClusterFacts(api.kubeConfig(), { helm: true })).cilium;
    expect(helm).toMatchObject({ name: 'cilium', revision: 1, status: 'deployed', chartVersion: '1.15.6' });
    expect(helm === 'absent' || helm === 'not-read' ? undefined : helm.userValues).toMatchObject({
      cni: { customConf: true },
      tunnelPort: 8473,
      ipam: { operator: { clusterPoolIPv4PodCIDRList: ['10.245.0.0/16'] } },
    });
    expect((await readClusterFacts(api.kubeConfig(), { helm: false })).cilium.helm).toBe('not-read');
  });

  it('when the API server answers 503 to some reads, then each is read again and the facts are as seeded', async () => {
    const ids = [
      api.faults.add({ match: { resource: 'configmaps' }, error: 503, times: 2 }),
      api.faults.add({ match: { resource: 'ippools' }, error: 503, times: 1 }),
      api.faults.add({ match: { resource: 'daemonsets' }, error: 500, times: 1 }),
    ];
    try {
      const facts = await readClusterFacts(api.kubeConfig(), { helm: false });
      expect(api.faults.injected()).toBe(4);
      expect(facts.calico.ipPools.map((p) => p.cidr)).toEqual(['10.244.0.0/16']);
      expect(facts.cilium.config?.clusterPoolIPv4Cidrs).toEqual(['10.245.0.0/16']);
      expect(facts.cilium.daemonSetFound).toBe(true);
    } finally {
      ids.forEach((id) => api.faults.remove(id));
    }
  });

  it('when the seed policies are read, then each Calico kind Cilium ignores is listed', async () => {
    const { policies } = (await readClusterFacts(api.kubeConfig(), { helm: false })).calico;
    expect(policies.map((p) => p.kind).sort()).toEqual(['GlobalNetworkPolicy', 'GlobalNetworkSet', 'HostEndpoint', 'NetworkPolicy']);
  });

  it('when Calico came from the operator on 192.168.0.0/16 with firstFound and BGP peers, then all of it is read', async () => {
    const facts = await readClusterFacts(operator.kubeConfig(), { helm: true });
    expect(facts.calico).toMatchObject({
      install: 'operator',
      installEvidence: ['Installation default', 'Deployment tigera-operator/tigera-operator', 'namespace calico-system'],
      autodetection: { method: 'firstFound' },
      bgp: { enabled: true, peers: [{ name: 'rack1-tor', peerIP: '172.18.255.1', asNumber: 64512 }] },
      policies: [],
    });
    expect(facts.calico.ipPools.map((p) => p.cidr)).toEqual(['192.168.0.0/16']);
    expect(facts.cilium.helm).toBe('absent');
  });

  it('when a cluster has neither CNI, then every kind reads as absent or empty', async () => {
    const facts = await readClusterFacts(bare.kubeConfig(), { helm: true });
    expect(facts.calico).toMatchObject({ install: 'absent', ipPools: [], policies: [] });
    expect(facts.cilium).toMatchObject({ config: undefined, helm: 'absent', nodeConfig: { exists: false, servedVersions: [] } });
  });
});
