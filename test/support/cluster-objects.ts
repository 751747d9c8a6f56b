/** Raw cluster objects as an API server returns them, for the pure facts and pre-flight tests. */
import type { V1ConfigMap, V1DaemonSet, V1Node, V1Secret } from '@kubernetes/client-node';
import { gzipSync } from 'node:zlib';
import { emptyClusterObjects, type RawClusterObjects, type RawObject } from '../../coordinator/core/facts/index.js';

export const configMap = (namespace: string, name: string, data: Record<string, string>): V1ConfigMap => ({ metadata: { namespace, name }, data });

export const calicoNodeDs = (namespace: string, env: Record<string, string>): V1DaemonSet => ({
  metadata: { namespace, name: 'calico-node' },
  spec: {
    selector: {},
    template: { spec: { containers: [{ name: 'calico-node', env: Object.entries(env).map(([name, value]) => ({ name, value })) }] } },
  },
});

export const ipPool = (name: string, spec: Record<string, unknown>): RawObject => ({ kind: 'IPPool', metadata: { name }, spec });

export const node = (name: string, ip: string, podCIDR: string): V1Node => ({
  metadata: { name },
  spec: { podCIDR, podCIDRs: [podCIDR] },
  status: { addresses: [{ type: 'InternalIP', address: ip }, { type: 'Hostname', address: name }] },
});

export const SECONDARY_CILIUM_CONFIG = {
  'custom-cni-conf': 'true',
  'enable-policy': 'never',
  'enable-host-legacy-routing': 'true',
  'routing-mode': 'tunnel',
  'tunnel-protocol': 'vxlan',
  'tunnel-port': '8473',
  ipam: 'cluster-pool',
  'cluster-pool-ipv4-cidr': '10.245.0.0/16',
  'cluster-pool-ipv4-mask-size': '24',
  'unmanaged-pod-watcher-interval': '0',
};

/** A Helm release record the way Helm stores it: JSON, gzip, base64; the API adds one more base64 as Secret data. */
export function helmSecret(release: { name: string; version: number; status: string; chart: string; config: object; values?: object }, gzip = true): V1Secret {
  const json = Buffer.from(
    JSON.stringify({
      name: release.name,
      namespace: 'kube-system',
      version: release.version,
      info: { status: release.status },
      chart: { metadata: { name: release.chart, version: '1.15.6', appVersion: '1.15.6' }, values: release.values ?? { tunnelPort: 0 } },
      config: release.config,
    }),
  );
  const helmBase64 = (gzip ? gzipSync(json) : json).toString('base64');
  return {
    type: 'helm.sh/release.v1',
    metadata: {
      namespace: 'kube-system',
      name: `sh.helm.release.v1.${release.name}.v${release.version}`,
      labels: { owner: 'helm', name: release.name, status: release.status, version: String(release.version) },
    },
    data: { release: Buffer.from(helmBase64).toString('base64') },
  };
}

/** The seed's cluster: manifest-installed Calico on 10.244.0.0/16 (VXLAN), Cilium in secondary mode on 10.245.0.0/16. */
export function seedLikeCluster(): RawClusterObjects {
  return {
    ...emptyClusterObjects(),
    calicoNodes: [calicoNodeDs('kube-system', { CALICO_NETWORKING_BACKEND: 'vxlan', IP_AUTODETECTION_METHOD: 'kubernetes-internal-ip' })],
    calicoConfig: configMap('kube-system', 'calico-config', { calico_backend: 'vxlan', veth_mtu: '1410' }),
    ipPools: [ipPool('default-ipv4-ippool', { cidr: '10.244.0.0/16', vxlanMode: 'Always', ipipMode: 'Never', natOutgoing: true, blockSize: 26 })],
    felixConfigurations: [{ kind: 'FelixConfiguration', metadata: { name: 'default' }, spec: { vxlanPort: 4789, vxlanVNI: 4096, vxlanMTU: 1410 } }],
    ciliumConfig: configMap('kube-system', 'cilium-config', SECONDARY_CILIUM_CONFIG),
    ciliumDaemonSet: { metadata: { namespace: 'kube-system', name: 'cilium' } },
    ciliumOperator: { metadata: { namespace: 'kube-system', name: 'cilium-operator' } },
    ciliumNodeConfigCrd: { name: 'ciliumnodeconfigs.cilium.io', versions: [{ name: 'v2alpha1', served: true }, { name: 'v2', served: true }] },
    ciliumNodeConfig: {
      metadata: { namespace: 'kube-system', name: 'cilium-default' },
      spec: { nodeSelector: { matchLabels: { 'io.cilium.migration/cilium-default': 'true' } }, defaults: { 'custom-cni-conf': 'false' } },
    },
    kubeadmConfig: configMap('kube-system', 'kubeadm-config', {
      ClusterConfiguration: 'apiVersion: kubeadm.k8s.io/v1beta3\nkind: ClusterConfiguration\nnetworking:\n  serviceSubnet: 10.96.0.0/12\n  podSubnet: 10.244.0.0/16\n',
    }),
    nodes: [node('w1', '172.18.0.2', '10.244.0.0/24'), node('w2', '172.18.0.3', '10.244.1.0/24')],
  };
}

/** The cluster the examples in deploy/cilium/ are generated for: the seed's, before Cilium is installed. */
export function exampleClusterBeforeCilium(): RawClusterObjects {
  return { ...seedLikeCluster(), ciliumConfig: undefined, ciliumDaemonSet: undefined, ciliumOperator: undefined, ciliumNodeConfig: undefined, helmSecrets: [] };
}

/** The same cluster once Cilium was installed by Helm with `values` (for the promotion example). */
export function exampleClusterWithCilium(values: Record<string, unknown>): RawClusterObjects {
  return { ...seedLikeCluster(), helmSecrets: [helmSecret({ name: 'cilium', version: 1, status: 'deployed', chart: 'cilium', config: values })] };
}
