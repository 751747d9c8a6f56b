/**
 * Calico "installed" the manifest way: the calico-node DaemonSet, calico-config, the IPPool and
 * FelixConfiguration CRDs with their default objects (VXLAN on 4789, pool 10.244.0.0/16).
 */
import type { V1ConfigMap, V1CustomResourceDefinition, V1DaemonSet } from '@kubernetes/client-node';
import { CALICO_POD_CIDR } from '../../../shared/names.js';
import { customResourceDefinition } from './crd.js';

export const CALICO_GROUP = 'crd.projectcalico.org';

export const calicoCrds = (): V1CustomResourceDefinition[] => [
  customResourceDefinition({
    group: CALICO_GROUP,
    kind: 'IPPool',
    plural: 'ippools',
    scope: 'Cluster',
    versions: ['v1'],
    spec: {
      cidr: { type: 'string' },
      blockSize: { type: 'integer' },
      ipipMode: { type: 'string' },
      vxlanMode: { type: 'string' },
      natOutgoing: { type: 'boolean' },
      disabled: { type: 'boolean' },
      nodeSelector: { type: 'string' },
    },
  }),
  customResourceDefinition({
    group: CALICO_GROUP,
    kind: 'FelixConfiguration',
    plural: 'felixconfigurations',
    scope: 'Cluster',
    versions: ['v1'],
    spec: {
      vxlanPort: { type: 'integer' },
      vxlanVNI: { type: 'integer' },
      vxlanMTU: { type: 'integer' },
      iptablesBackend: { type: 'string' },
      bpfEnabled: { type: 'boolean' },
    },
  }),
];

export const calicoIpPool = (): object => ({
  apiVersion: `${CALICO_GROUP}/v1`,
  kind: 'IPPool',
  metadata: { name: 'default-ipv4-ippool' },
  spec: { cidr: CALICO_POD_CIDR, blockSize: 24, ipipMode: 'Never', vxlanMode: 'Always', natOutgoing: true, nodeSelector: 'all()' },
});

export const felixConfiguration = (): object => ({
  apiVersion: `${CALICO_GROUP}/v1`,
  kind: 'FelixConfiguration',
  metadata: { name: 'default' },
  spec: { vxlanPort: 4789, vxlanVNI: 4096, vxlanMTU: 1410, bpfEnabled: false },
});

export const calicoConfig = (): V1ConfigMap => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'calico-config', namespace: 'kube-system' },
  data: { calico_backend: 'vxlan', veth_mtu: '1410', typha_service_name: 'none' },
});

export const calicoNode = (): V1DaemonSet => ({
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  metadata: { name: 'calico-node', namespace: 'kube-system', labels: { 'k8s-app': 'calico-node' } },
  spec: {
    selector: { matchLabels: { 'k8s-app': 'calico-node' } },
    updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } },
    template: {
      metadata: { labels: { 'k8s-app': 'calico-node' } },
      spec: {
        hostNetwork: true,
        priorityClassName: 'system-node-critical',
        tolerations: [{ operator: 'Exists' }],
        containers: [
          {
            name: 'calico-node',
            image: 'docker.io/calico/node:v3.27.3',
            env: [
              { name: 'CALICO_NETWORKING_BACKEND', value: 'vxlan' },
              { name: 'IP_AUTODETECTION_METHOD', value: 'kubernetes-internal-ip' },
              { name: 'CALICO_IPV4POOL_CIDR', value: CALICO_POD_CIDR },
            ],
            securityContext: { privileged: true },
          },
        ],
      },
    },
  },
});
