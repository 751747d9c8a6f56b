/**
 * Calico as a cluster carries it: its projectcalico.org CRDs, the default IPPool and FelixConfiguration (VXLAN
 * on 4789), a few policies Cilium will not enforce, and the install itself, either the manifest way
 * (DaemonSet kube-system/calico-node, ConfigMap calico-config) or the operator way (Installation `default`,
 * Deployment tigera-operator/tigera-operator, namespace calico-system with its calico-node).
 */
import type { V1ConfigMap, V1CustomResourceDefinition, V1DaemonSet, V1Deployment, V1EnvVar } from '@kubernetes/client-node';
import { customResourceDefinition, type CrdShape } from './crd.js';
import { breaks, seedSettings, type SeedSettings } from './settings.js';

export const CALICO_GROUP = 'crd.projectcalico.org';
export const TIGERA_GROUP = 'operator.tigera.io';
const CALICO_VERSION = 'v3.27.3';

type Schema = CrdShape['spec'];
const calicoCrd = (kind: string, plural: string, scope: CrdShape['scope'], spec: Schema): V1CustomResourceDefinition =>
  customResourceDefinition({ group: CALICO_GROUP, kind, plural, scope, versions: ['v1'], spec });

const selectorAndRules: Schema = {
  selector: { type: 'string' },
  order: { type: 'number' },
  types: { type: 'array', items: { type: 'string' } },
  ingress: { type: 'array', items: { type: 'object', x_kubernetes_preserve_unknown_fields: true } },
  egress: { type: 'array', items: { type: 'object', x_kubernetes_preserve_unknown_fields: true } },
};
const nets: Schema = { nets: { type: 'array', items: { type: 'string' } } };

export const calicoCrds = (): V1CustomResourceDefinition[] => [
  calicoCrd('IPPool', 'ippools', 'Cluster', {
    cidr: { type: 'string' },
    blockSize: { type: 'integer' },
    ipipMode: { type: 'string' },
    vxlanMode: { type: 'string' },
    natOutgoing: { type: 'boolean' },
    disabled: { type: 'boolean' },
    nodeSelector: { type: 'string' },
  }),
  calicoCrd('FelixConfiguration', 'felixconfigurations', 'Cluster', {
    vxlanPort: { type: 'integer' },
    vxlanVNI: { type: 'integer' },
    vxlanMTU: { type: 'integer' },
    iptablesBackend: { type: 'string' },
    nftablesMode: { type: 'string' },
    bpfEnabled: { type: 'boolean' },
  }),
  calicoCrd('BGPPeer', 'bgppeers', 'Cluster', { peerIP: { type: 'string' }, asNumber: { type: 'integer' }, node: { type: 'string' } }),
  calicoCrd('NetworkPolicy', 'networkpolicies', 'Namespaced', selectorAndRules),
  calicoCrd('GlobalNetworkPolicy', 'globalnetworkpolicies', 'Cluster', selectorAndRules),
  calicoCrd('NetworkSet', 'networksets', 'Namespaced', nets),
  calicoCrd('GlobalNetworkSet', 'globalnetworksets', 'Cluster', nets),
  calicoCrd('HostEndpoint', 'hostendpoints', 'Cluster', { node: { type: 'string' }, interfaceName: { type: 'string' }, expectedIPs: { type: 'array', items: { type: 'string' } } }),
];

export const installationCrd = (): V1CustomResourceDefinition =>
  customResourceDefinition({
    group: TIGERA_GROUP,
    kind: 'Installation',
    plural: 'installations',
    scope: 'Cluster',
    versions: ['v1'],
    spec: { calicoNetwork: { type: 'object', x_kubernetes_preserve_unknown_fields: true }, variant: { type: 'string' } },
  });

const object = (kind: string, name: string, spec: object, namespace?: string): object => ({
  apiVersion: `${CALICO_GROUP}/v1`,
  kind,
  metadata: namespace ? { name, namespace } : { name },
  spec,
});

export const calicoIpPool = (s: SeedSettings = seedSettings()): object =>
  object('IPPool', 'default-ipv4-ippool', { cidr: s.calicoPool, blockSize: 26, ipipMode: 'Never', vxlanMode: 'Always', natOutgoing: true, nodeSelector: 'all()' });

export const felixConfiguration = (): object =>
  object('FelixConfiguration', 'default', { vxlanPort: 4789, vxlanVNI: 4096, vxlanMTU: 1410, bpfEnabled: false });

/** A top-of-rack router Calico peers with (the `bgp-peers` break). */
export const bgpPeer = (): object => object('BGPPeer', 'rack1-tor', { peerIP: '172.18.255.1', asNumber: 64512 });

/** Calico policies of the kinds Cilium ignores: what a platform team typically has. */
export const calicoPolicies = (): { plural: string; namespace?: string; body: object }[] => [
  { plural: 'globalnetworkpolicies', body: object('GlobalNetworkPolicy', 'deny-egress-to-metadata', { order: 10, selector: 'all()', types: ['Egress'], egress: [{ action: 'Deny', destination: { nets: ['169.254.169.254/32'] } }, { action: 'Pass' }] }) },
  { plural: 'networkpolicies', namespace: 'demo', body: object('NetworkPolicy', 'api-from-web', { selector: "app == 'api'", types: ['Ingress'], ingress: [{ action: 'Allow', source: { selector: "app == 'web'" } }] }, 'demo') },
  { plural: 'globalnetworksets', body: object('GlobalNetworkSet', 'partner-ranges', { nets: ['203.0.113.0/24'] }) },
  { plural: 'hostendpoints', body: object('HostEndpoint', 'cp-eth0', { node: 'sim-cp-1', interfaceName: 'eth0', expectedIPs: ['172.18.0.2'] }) },
];

/** `vxlan`, or `bird` when the cluster peers over BGP (the `bgp-peers` break). */
const backendOf = (s: SeedSettings): string => (breaks(s, 'bgp-peers') ? 'bird' : 'vxlan');

export const calicoConfig = (s: SeedSettings = seedSettings()): V1ConfigMap => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'calico-config', namespace: 'kube-system' },
  data: { calico_backend: backendOf(s), veth_mtu: '1410', typha_service_name: 'none' },
});

/** calico-node's environment as the manifest sets it (the operator writes its own from the Installation). */
function calicoNodeEnv(s: SeedSettings): V1EnvVar[] {
  const env: V1EnvVar[] = [
    { name: 'CALICO_NETWORKING_BACKEND', value: backendOf(s) },
    { name: 'CALICO_IPV4POOL_CIDR', value: s.calicoPool },
  ];
  if (!breaks(s, 'first-found')) env.push({ name: 'IP_AUTODETECTION_METHOD', value: 'kubernetes-internal-ip' });
  return env;
}

export const calicoNode = (s: SeedSettings = seedSettings(), namespace = 'kube-system'): V1DaemonSet => ({
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  metadata: { name: 'calico-node', namespace, labels: { 'k8s-app': 'calico-node' } },
  spec: {
    selector: { matchLabels: { 'k8s-app': 'calico-node' } },
    updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } },
    template: {
      metadata: { labels: { 'k8s-app': 'calico-node' } },
      spec: {
        hostNetwork: true,
        priorityClassName: 'system-node-critical',
        tolerations: [{ operator: 'Exists' }],
        containers: [{ name: 'calico-node', image: `docker.io/calico/node:${CALICO_VERSION}`, env: calicoNodeEnv(s), securityContext: { privileged: true } }],
      },
    },
  },
});

/** The operator's Installation `default`: VXLAN, BGP off, the pool, and the autodetection fix (unless broken). */
export const installation = (s: SeedSettings): object => ({
  apiVersion: `${TIGERA_GROUP}/v1`,
  kind: 'Installation',
  metadata: { name: 'default' },
  spec: {
    variant: 'Calico',
    calicoNetwork: {
      bgp: breaks(s, 'bgp-peers') ? 'Enabled' : 'Disabled',
      mtu: 1410,
      ipPools: [{ cidr: s.calicoPool, encapsulation: 'VXLAN', natOutgoing: 'Enabled', blockSize: 26 }],
      nodeAddressAutodetectionV4: breaks(s, 'first-found') ? { firstFound: true } : { kubernetes: 'NodeInternalIP' },
    },
  },
});

export const tigeraOperator = (): V1Deployment => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'tigera-operator', namespace: 'tigera-operator', labels: { 'k8s-app': 'tigera-operator' } },
  spec: {
    replicas: 1,
    selector: { matchLabels: { name: 'tigera-operator' } },
    template: {
      metadata: { labels: { name: 'tigera-operator', 'k8s-app': 'tigera-operator' } },
      spec: {
        hostNetwork: true,
        tolerations: [{ operator: 'Exists' }],
        containers: [{ name: 'tigera-operator', image: 'quay.io/tigera/operator:v1.32.7' }],
      },
    },
  },
});
