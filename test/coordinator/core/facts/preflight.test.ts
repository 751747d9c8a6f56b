import { describe, expect, it } from '@jest/globals';
import type { V1Pod, V1PodDisruptionBudget } from '@kubernetes/client-node';
import { clusterFactsFrom, type RawClusterObjects } from '../../../../coordinator/core/facts/index.js';
import { runPreflight, type PreflightInput } from '../../../../coordinator/core/preflight/index.js';
import { calicoNodeDs, configMap, ipPool, node, SECONDARY_CILIUM_CONFIG, seedLikeCluster } from '../../../support/cluster-objects.js';

const report = (raw: RawClusterObjects, extra: Omit<PreflightInput, 'facts'> = {}) => runPreflight({ facts: clusterFactsFrom(raw), ...extra });
const checksOf = (raw: RawClusterObjects, extra: Omit<PreflightInput, 'facts'> = {}) => report(raw, extra).blockers.map((b) => b.check);
const withCilium = (data: Record<string, string>): RawClusterObjects => ({ ...seedLikeCluster(), ciliumConfig: configMap('kube-system', 'cilium-config', { ...SECONDARY_CILIUM_CONFIG, ...data }) });

describe('pre-flight on a cluster ready to migrate', () => {
  it('when the seed-like cluster is checked, then there is no blocker and the validation CIDRs are its pools', () => {
    const r = report(seedLikeCluster());
    expect(r.blockers).toEqual([]);
    expect(r.cidrs).toEqual({ forward: '10.245.0.0/16', rollback: '10.244.0.0/16' });
  });

  it("when Calico runs on its default 192.168.0.0/16, then the rollback CIDR is read from that pool", () => {
    const raw = { ...seedLikeCluster(), ipPools: [ipPool('default-ipv4-ippool', { cidr: '192.168.0.0/16', vxlanMode: 'Always' })] };
    expect(report(raw).cidrs).toEqual({ forward: '10.245.0.0/16', rollback: '192.168.0.0/16' });
  });
});

describe('pre-flight blockers, each with one line saying how to fix it', () => {
  const noCilium = { ...seedLikeCluster(), ciliumConfig: undefined, ciliumDaemonSet: undefined };
  const noNodeConfig = { ...seedLikeCluster(), ciliumNodeConfig: undefined };
  const wrongLabel = { ...seedLikeCluster(), ciliumNodeConfig: { spec: { nodeSelector: { matchLabels: { 'io.cilium.migration/cilium-default': 'enabled' } }, defaults: { 'custom-cni-conf': 'false' } } } };
  const firstFound = { ...seedLikeCluster(), calicoNodes: [calicoNodeDs('kube-system', { IP_AUTODETECTION_METHOD: 'first-found' })] };
  const nodeInPool = { ...seedLikeCluster(), nodes: [node('w1', '10.245.7.7', '10.244.0.0/24')] };
  const serviceInPool = { ...seedLikeCluster(), ipPools: [ipPool('p', { cidr: '10.96.0.0/16', vxlanMode: 'Always' })] };

  it.each<[string, RawClusterObjects, string, RegExp]>([
    ['Cilium is absent', noCilium, 'cilium-installed', /cilium-config/],
    ['Cilium writes its own CNI config', withCilium({ 'custom-cni-conf': 'false' }), 'cilium-secondary-mode', /custom-cni-conf/],
    ['Cilium enforces policy', withCilium({ 'enable-policy': 'default' }), 'cilium-secondary-mode', /enable-policy is "default"/],
    ['Cilium routes natively', withCilium({ 'routing-mode': 'native' }), 'cilium-secondary-mode', /routing-mode/],
    ['the CiliumNodeConfig is absent', noNodeConfig, 'ciliumnodeconfig', /does not exist/],
    ['the CiliumNodeConfig selects the wrong label', wrongLabel, 'ciliumnodeconfig', /not exactly io\.cilium\.migration\/cilium-default=true/],
    ["Cilium's pool overlaps Calico's", withCilium({ 'cluster-pool-ipv4-cidr': '10.244.128.0/17' }), 'cidr-overlap', /Cilium's pool 10\.244\.128\.0\/17 overlaps Calico's IPPool/],
    ['a pod pool overlaps the Service CIDR', serviceInPool, 'cidr-overlap', /overlap Services/],
    ['a node address lies in a pod pool', nodeInPool, 'cidr-overlap', /node w1's address/],
    ["Cilium's tunnel port is Calico's VXLAN port", withCilium({ 'tunnel-port': '4789' }), 'tunnel-port', /4789/],
    ['Calico autodetects firstFound', firstFound, 'calico-autodetection', /cilium_host/],
    ['the pod MTUs differ', withCilium({ mtu: '1500' }), 'mtu', /Calico 1410.*Cilium 1450/],
  ])('when %s, then it is a blocker', (_what, raw, check, message) => {
    const r = report(raw);
    const found = r.blockers.find((b) => b.check === check);
    expect(found?.message).toMatch(message);
    expect(found?.fix.length).toBeGreaterThan(10);
    expect(found?.fix).not.toContain('\n');
  });

  it('when the tunnel port is unset, then Cilium\'s default 8472 is compared (no clash with 4789)', () => {
    const raw = withCilium({});
    delete raw.ciliumConfig?.data?.['tunnel-port'];
    expect(checksOf(raw)).toEqual([]);
  });

  it('when Cilium matches Calico\'s MTU (underlay − 50), then the MTU is fine', () => {
    expect(checksOf(withCilium({ mtu: '1460' }))).toEqual([]);
  });
});

describe('pre-flight: the validation CIDRs from spec', () => {
  it('when spec narrows each CIDR inside the pools, then it wins', () => {
    expect(report(seedLikeCluster(), { overrides: { ciliumCidr: '10.245.0.0/17', calicoCidr: '10.244.0.0/16' } }).cidrs).toEqual({ forward: '10.245.0.0/17', rollback: '10.244.0.0/16' });
  });

  it('when spec contradicts the cluster, then it is a blocker and no CIDRs are given', () => {
    const r = report(seedLikeCluster(), { overrides: { ciliumCidr: '10.99.0.0/16' } });
    expect(r.cidrs).toBeUndefined();
    expect(r.blockers).toEqual([expect.objectContaining({ check: 'validation-cidr', message: expect.stringContaining('spec.validation.ciliumCidr 10.99.0.0/16 is not within') })]);
  });

  it('when Calico has two enabled pools, then the rollback CIDR must be set in spec', () => {
    const raw = { ...seedLikeCluster(), ipPools: [ipPool('a', { cidr: '10.244.0.0/16' }), ipPool('b', { cidr: '10.250.0.0/16' }), ipPool('old', { cidr: '10.251.0.0/16', disabled: true })] };
    expect(report(raw).blockers.map((b) => b.message)).toEqual([expect.stringContaining('several pod pools (10.244.0.0/16, 10.250.0.0/16)')]);
    expect(report(raw, { overrides: { calicoCidr: '10.250.0.0/16' } }).cidrs?.rollback).toBe('10.250.0.0/16');
  });
});

const pod = (name: string, opts: { labels?: Record<string, string>; owner?: string; emptyDir?: boolean } = {}): V1Pod => ({
  metadata: {
    name,
    namespace: 'demo',
    labels: opts.labels ?? {},
    ownerReferences: opts.owner ? [{ apiVersion: 'apps/v1', kind: opts.owner, name: 'x', uid: 'u', controller: true }] : [],
  },
  spec: { nodeName: 'w1', containers: [], volumes: opts.emptyDir ? [{ name: 'cache', emptyDir: {} }] : [] },
});
const pdb = (name: string, spec: V1PodDisruptionBudget['spec']): V1PodDisruptionBudget => ({ metadata: { name, namespace: 'demo' }, spec });
const drain = { force: false, deleteEmptyDirData: false };

describe('pre-flight: what the drains will meet', () => {
  const api = [pod('api-1', { labels: { app: 'api' }, owner: 'ReplicaSet' }), pod('api-2', { labels: { app: 'api' }, owner: 'ReplicaSet' })];
  const workloads = (pdbs: V1PodDisruptionBudget[], pods = api) => ({ workloads: { podsInScope: pods, allPods: pods, pdbs, drain } });

  it.each<[string, V1PodDisruptionBudget['spec']]>([
    ['maxUnavailable 0', { maxUnavailable: 0, selector: { matchLabels: { app: 'api' } } }],
    ['minAvailable 100%', { minAvailable: '100%', selector: { matchLabels: { app: 'api' } } }],
    ['minAvailable equal to the replicas', { minAvailable: 2, selector: { matchLabels: { app: 'api' } } }],
  ])('when a PDB has %s, then its pods can never be evicted: a blocker', (_what, spec) => {
    const r = report(seedLikeCluster(), workloads([pdb('api', spec)]));
    expect(r.blockers).toEqual([expect.objectContaining({ check: 'pdb-never-evicts', message: expect.stringContaining('demo/api can never allow an eviction') })]);
  });

  it('when a PDB allows one disruption, or protects no pod on the nodes, then it is fine', () => {
    expect(checksOf(seedLikeCluster(), workloads([pdb('api', { maxUnavailable: 1, selector: { matchLabels: { app: 'api' } } })]))).toEqual([]);
    expect(checksOf(seedLikeCluster(), workloads([pdb('db', { maxUnavailable: 0, selector: { matchLabels: { app: 'db' } } })]))).toEqual([]);
  });

  it('when bare pods and emptyDir pods are on the nodes, then warnings say whether the drain deletes or refuses them', () => {
    const pods = [pod('debug'), pod('cache-1', { owner: 'ReplicaSet', emptyDir: true })];
    const refuse = report(seedLikeCluster(), workloads([], pods)).warnings.map((w) => w.message);
    expect(refuse).toEqual([expect.stringMatching(/no controller, so the drain of their node will refuse.*demo\/debug/), expect.stringMatching(/emptyDir data, so the drain.*demo\/cache-1/)]);
    const forced = report(seedLikeCluster(), { workloads: { podsInScope: pods, allPods: pods, pdbs: [], drain: { force: true, deleteEmptyDirData: true } } });
    expect(forced.warnings.map((w) => w.message)).toEqual([expect.stringContaining('will delete them for good'), expect.stringContaining('the drain will delete')]);
  });
});

describe('pre-flight warnings', () => {
  it('when Calico peers over BGP and has its own policies, then warnings count and name them', () => {
    const raw = {
      ...seedLikeCluster(),
      calicoConfig: configMap('kube-system', 'calico-config', { calico_backend: 'bird' }),
      bgpPeers: [{ metadata: { name: 'tor' }, spec: { peerIP: '172.18.255.1', asNumber: 64512 } }],
      calicoPolicies: [
        { kind: 'GlobalNetworkPolicy', metadata: { name: 'deny' } },
        { kind: 'NetworkPolicy', metadata: { name: 'a', namespace: 'demo' } },
        { kind: 'NetworkPolicy', metadata: { name: 'b', namespace: 'demo' } },
      ],
    };
    const r = report(raw);
    expect(r.blockers).toEqual([]);
    expect(r.warnings.map((w) => w.check)).toEqual(['calico-bgp', 'calico-bgp-peers', 'calico-policies']);
    expect(r.warnings[1]?.message).toContain('tor (172.18.255.1 AS 64512)');
    expect(r.warnings[2]?.message).toContain('1 GlobalNetworkPolicy, 2 NetworkPolicy (GlobalNetworkPolicy deny, NetworkPolicy demo/a, NetworkPolicy demo/b)');
  });
});
