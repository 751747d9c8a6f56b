import { describe, expect, it } from '@jest/globals';
import { clusterFactsFrom } from '../../../../coordinator/core/facts/index.js';
import { ciliumConfigFacts } from '../../../../coordinator/core/facts/cilium.js';
import { currentHelmRelease, decodeHelmRelease } from '../../../../coordinator/core/facts/helm-release.js';
import { cidrsOverlap, parseCidr } from '../../../../coordinator/core/facts/cidr.js';
import { calicoNodeDs, configMap, helmSecret, seedLikeCluster } from '../../../support/cluster-objects.js';

describe('Calico facts', () => {
  it('when Calico was installed by its manifest, then the method, pool, Felix settings and autodetection are read', () => {
    const f = clusterFactsFrom(seedLikeCluster()).calico;
    expect(f.install).toBe('manifest');
    expect(f.installEvidence).toEqual(['DaemonSet kube-system/calico-node', 'ConfigMap kube-system/calico-config']);
    expect(f.ipPools).toEqual([{ name: 'default-ipv4-ippool', cidr: '10.244.0.0/16', vxlanMode: 'Always', ipipMode: 'Never', natOutgoing: true, blockSize: 26, disabled: false }]);
    expect(f.felix).toMatchObject({ found: true, vxlanPort: 4789, vxlanVNI: 4096, vxlanMTU: 1410, bpfEnabled: false });
    expect(f.bgp).toMatchObject({ enabled: false, peers: [] });
    expect(f.autodetection.method).toBe('kubernetes-internal-ip');
    expect(f.mtu).toEqual({ value: 1410, source: 'FelixConfiguration default vxlanMTU' });
  });

  it('when Calico was installed by the operator, then the Installation decides BGP and autodetection (unset means firstFound and Enabled)', () => {
    const raw = { ...seedLikeCluster(), calicoNodes: [calicoNodeDs('calico-system', {})], calicoConfig: undefined, calicoSystemNamespace: true };
    const unset = clusterFactsFrom({ ...raw, installation: { metadata: { name: 'default' }, spec: {} } }).calico;
    expect(unset.install).toBe('operator');
    expect(unset.installEvidence).toEqual(['Installation default', 'namespace calico-system']);
    expect(unset.autodetection.method).toBe('firstFound');
    expect(unset.bgp.enabled).toBe(true);
    const set = clusterFactsFrom({
      ...raw,
      installation: { spec: { calicoNetwork: { bgp: 'Disabled', mtu: 1450, nodeAddressAutodetectionV4: { kubernetes: 'NodeInternalIP' } } } },
      felixConfigurations: [],
    }).calico;
    expect(set.autodetection).toEqual({ method: 'kubernetes-internal-ip', source: 'Installation default spec.calicoNetwork.nodeAddressAutodetectionV4' });
    expect(set.bgp.enabled).toBe(false);
    expect(set.mtu).toEqual({ value: 1450, source: 'Installation default spec.calicoNetwork.mtu' });
    expect(set.felix).toMatchObject({ found: false, vxlanPort: 4789 });
  });

  it('when the manifest sets no autodetection method and uses BIRD with peers, then firstFound, BGP and the peers are read', () => {
    const raw = {
      ...seedLikeCluster(),
      calicoNodes: [calicoNodeDs('kube-system', {})],
      calicoConfig: configMap('kube-system', 'calico-config', { calico_backend: 'bird' }),
      bgpPeers: [{ metadata: { name: 'tor' }, spec: { peerIP: '172.18.255.1', asNumber: 64512 } }],
    };
    const f = clusterFactsFrom(raw).calico;
    expect(f.autodetection.method).toBe('firstFound');
    expect(f.bgp).toEqual({ enabled: true, source: 'calico_backend bird', peers: [{ name: 'tor', peerIP: '172.18.255.1', asNumber: 64512 }] });
  });

  it('when projectcalico.org policies exist, then each is listed by kind, namespace and name', () => {
    const raw = {
      ...seedLikeCluster(),
      calicoPolicies: [
        { kind: 'GlobalNetworkPolicy', metadata: { name: 'deny-all' } },
        { kind: 'NetworkPolicy', metadata: { name: 'allow-web', namespace: 'demo' } },
      ],
    };
    expect(clusterFactsFrom(raw).calico.policies).toEqual([
      { kind: 'GlobalNetworkPolicy', namespace: undefined, name: 'deny-all' },
      { kind: 'NetworkPolicy', namespace: 'demo', name: 'allow-web' },
    ]);
  });

  it('when nothing of Calico exists, then the install is absent', () => {
    const f = clusterFactsFrom({ ...seedLikeCluster(), calicoNodes: [], calicoConfig: undefined }).calico;
    expect(f.install).toBe('absent');
  });
});

describe('Cilium facts', () => {
  it('when cilium-config is in secondary mode, then its keys are read by their real names', () => {
    expect(clusterFactsFrom(seedLikeCluster()).cilium.config).toMatchObject({
      ipam: 'cluster-pool',
      clusterPoolIPv4Cidrs: ['10.245.0.0/16'],
      clusterPoolIPv4MaskSize: 24,
      routingMode: 'tunnel',
      tunnelProtocol: 'vxlan',
      tunnelPort: 8473,
      tunnelPortSet: true,
      customCniConf: true,
      enablePolicy: 'never',
      hostLegacyRouting: true,
      unmanagedPodWatcherInterval: '0',
    });
  });

  it.each([
    ['no tunnel-port with VXLAN', { 'routing-mode': 'tunnel', 'tunnel-protocol': 'vxlan' }, { tunnelPort: 8472, tunnelPortSet: false }],
    ['no tunnel-port with Geneve', { 'routing-mode': 'tunnel', 'tunnel-protocol': 'geneve' }, { tunnelPort: 6081 }],
    ['a pre-1.14 tunnel key', { tunnel: 'vxlan' }, { routingMode: 'tunnel', tunnelProtocol: 'vxlan' }],
    ['two cluster-pool CIDRs', { 'cluster-pool-ipv4-cidr': '10.245.0.0/16 10.246.0.0/16' }, { clusterPoolIPv4Cidrs: ['10.245.0.0/16', '10.246.0.0/16'] }],
    ['no custom-cni-conf nor enable-policy', {}, { customCniConf: false, enablePolicy: 'default', hostLegacyRouting: false }],
  ])('when cilium-config has %s, then the defaults are Cilium\'s', (_what, data, expected) => {
    expect(ciliumConfigFacts(data)).toMatchObject(expected);
  });

  it('when the CRD serves v2 and v2alpha1, then v2 is chosen, and the selector is checked', () => {
    const nc = clusterFactsFrom(seedLikeCluster()).cilium.nodeConfig;
    expect(nc).toMatchObject({ servedVersions: ['v2alpha1', 'v2'], version: 'v2', exists: true, selectsMigrationLabel: true });
    const wrong = seedLikeCluster();
    wrong.ciliumNodeConfig = { spec: { nodeSelector: { matchLabels: { 'io.cilium.migration/cilium-default': 'yes' } } } };
    wrong.ciliumNodeConfigCrd = { name: 'x', versions: [{ name: 'v2alpha1', served: true }, { name: 'v2', served: false }] };
    expect(clusterFactsFrom(wrong).cilium.nodeConfig).toMatchObject({ version: 'v2alpha1', selectsMigrationLabel: false });
  });

  it('when Helm Secrets were not read, then the release is "not-read"; when none is Cilium\'s, "absent"', () => {
    expect(clusterFactsFrom(seedLikeCluster()).cilium.helm).toBe('not-read');
    const other = helmSecret({ name: 'ingress', version: 1, status: 'deployed', chart: 'ingress-nginx', config: {} });
    expect(clusterFactsFrom({ ...seedLikeCluster(), helmSecrets: [other] }).cilium.helm).toBe('absent');
  });
});

describe('Helm release records', () => {
  const rev = (version: number, status: string, tunnelPort: number, gzip = true) =>
    helmSecret({ name: 'cilium', version, status, chart: 'cilium', config: { tunnelPort }, values: { tunnelPort: 0, ipam: { mode: 'cluster-pool' } } }, gzip);

  it('when a release is gzipped and double base64, then config and chart values decode', () => {
    expect(decodeHelmRelease(rev(1, 'deployed', 8473).data?.['release'] ?? '')).toMatchObject({ name: 'cilium', config: { tunnelPort: 8473 } });
  });

  it('when several revisions exist, then the deployed one is current even if a newer one failed', () => {
    const r = currentHelmRelease([rev(1, 'superseded', 1), rev(2, 'deployed', 8473), rev(3, 'failed', 3)], 'cilium');
    expect(r).toEqual({
      name: 'cilium',
      namespace: 'kube-system',
      revision: 2,
      status: 'deployed',
      chartVersion: '1.15.6',
      appVersion: '1.15.6',
      userValues: { tunnelPort: 8473 },
      chartDefaults: { tunnelPort: 0, ipam: { mode: 'cluster-pool' } },
    });
  });

  it('when no revision is deployed, then the highest is current; an old release without gzip decodes too', () => {
    expect(currentHelmRelease([rev(4, 'failed', 4, false), rev(3, 'superseded', 3)], 'cilium')).toMatchObject({ revision: 4, userValues: { tunnelPort: 4 } });
  });

  it('when a record does not decode, then it is skipped', () => {
    const broken = { ...rev(5, 'deployed', 5), data: { release: Buffer.from('not base64 gzip json').toString('base64') } };
    expect(currentHelmRelease([broken], 'cilium')).toBeUndefined();
  });
});

describe('network facts', () => {
  it('when kubeadm-config exists, then the Service CIDR and pod subnet come from it; the nodes give their addresses', () => {
    const n = clusterFactsFrom(seedLikeCluster()).network;
    expect(n).toMatchObject({ serviceCidrs: ['10.96.0.0/12'], podSubnet: '10.244.0.0/16' });
    expect(n.nodes[0]).toEqual({ name: 'w1', internalIPs: ['172.18.0.2'], podCIDRs: ['10.244.0.0/24'] });
  });

  it('when only the kubernetes Service is known, then its address is the one certain point of the Service CIDR', () => {
    const raw = { ...seedLikeCluster(), kubeadmConfig: undefined, kubernetesService: { spec: { clusterIP: '10.43.0.1' } } };
    expect(clusterFactsFrom(raw).network).toMatchObject({ serviceCidrs: ['10.43.0.1/32'] });
  });
});

describe('CIDR arithmetic', () => {
  it.each([
    ['10.244.0.0/16', '10.244.3.0/24', true],
    ['10.244.0.0/16', '10.245.0.0/16', false],
    ['10.0.0.0/8', '10.245.0.0/16', true],
    ['192.168.0.0/16', '10.96.0.1', false],
  ])('when %s and %s are compared, then overlap is %s', (a, b, overlap) => {
    const [ca, cb] = [parseCidr(a), parseCidr(b)];
    expect(ca && cb && cidrsOverlap(ca, cb)).toBe(overlap);
  });

  it.each(['10.0.0.0/33', '10.0.0/8', 'fd00::/64', '10.0.0.0/8/1', ''])('when %s is parsed, then it is not an IPv4 CIDR', (t) => {
    expect(parseCidr(t)).toBeUndefined();
  });
});
