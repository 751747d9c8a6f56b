/**
 * Cilium installed in secondary mode for a per-node migration: its DaemonSet (not yet managing CNI), its
 * ConfigMap, the operator, and the CiliumNodeConfig (CRD served as v2alpha1 and v2) that takes a labelled
 * node over once its Cilium pod is re-created.
 */
import type { V1ConfigMap, V1CustomResourceDefinition, V1DaemonSet, V1Deployment, V1Secret } from '@kubernetes/client-node';
import {
  CILIUM_DAEMONSET,
  CILIUM_MIGRATION_LABEL,
  CILIUM_MIGRATION_LABEL_VALUE,
  CILIUM_NAMESPACE,
  CILIUM_NODE_CONFIG_NAME,
} from '../../../shared/names.js';
import { chartDefaults, helmReleaseSecret, mergeValues, renderCiliumConfig } from './cilium-chart.js';
import { customResourceDefinition } from './crd.js';
import { breaks, seedSettings, type SeedSettings } from './settings.js';

export const CILIUM_GROUP = 'cilium.io';
const CILIUM_IMAGE = 'quay.io/cilium/cilium:v1.15.6';

export const ciliumNodeConfigCrd = (): V1CustomResourceDefinition =>
  customResourceDefinition({
    group: CILIUM_GROUP,
    kind: 'CiliumNodeConfig',
    plural: 'ciliumnodeconfigs',
    scope: 'Namespaced',
    versions: ['v2alpha1', 'v2'],
    spec: {
      defaults: { type: 'object', additionalProperties: { type: 'string' } },
      nodeSelector: { type: 'object', properties: { matchLabels: { type: 'object', additionalProperties: { type: 'string' } } } },
    },
  });

/** The CiliumNodeConfig of the migration guide (its selector broken on purpose for `nodeconfig-wrong-label`). */
export const ciliumNodeConfig = (version = 'v2', settings: SeedSettings = seedSettings()): object => ({
  apiVersion: `${CILIUM_GROUP}/${version}`,
  kind: 'CiliumNodeConfig',
  metadata: { name: CILIUM_NODE_CONFIG_NAME, namespace: CILIUM_NAMESPACE },
  spec: {
    nodeSelector: {
      matchLabels: { [CILIUM_MIGRATION_LABEL]: breaks(settings, 'nodeconfig-wrong-label') ? 'enabled' : CILIUM_MIGRATION_LABEL_VALUE },
    },
    defaults: {
      'write-cni-conf-when-ready': '/host/etc/cni/net.d/05-cilium.conflist',
      'custom-cni-conf': 'false',
      'cni-chaining-mode': 'none',
      'cni-exclusive': 'true',
    },
  },
});

/** The Helm values the cluster's operators installed Cilium with: the given ones, else secondary mode, its own pool (and each break). */
export function installedValues(s: SeedSettings): Record<string, unknown> {
  if (s.ciliumValues) return s.ciliumValues;
  return {
    operator: { unmanagedPodWatcher: { restart: false } },
    routingMode: 'tunnel',
    tunnelProtocol: 'vxlan',
    tunnelPort: breaks(s, 'tunnel-port-clash') ? 4789 : 8473,
    cni: { customConf: !breaks(s, 'cilium-not-secondary'), uninstall: false },
    ipam: { mode: 'cluster-pool', operator: { clusterPoolIPv4PodCIDRList: [breaks(s, 'cidr-overlap') ? s.calicoPool : s.ciliumPool] } },
    policyEnforcementMode: 'never',
    bpf: { hostLegacyRouting: true },
    ...(breaks(s, 'mtu-mismatch') ? { MTU: 1500 } : {}),
  };
}

/** `kube-system/cilium-config` as the chart renders it from the installed values. */
export const ciliumConfig = (s: SeedSettings = seedSettings()): V1ConfigMap => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: {
    name: 'cilium-config',
    namespace: CILIUM_NAMESPACE,
    // What Helm (3.2+) writes on every object it creates: the release that owns it.
    ...(s.ciliumHelm
      ? {
          labels: { 'app.kubernetes.io/managed-by': 'Helm' },
          annotations: { 'meta.helm.sh/release-name': 'cilium', 'meta.helm.sh/release-namespace': CILIUM_NAMESPACE },
        }
      : {}),
  },
  data: renderCiliumConfig(mergeValues(chartDefaults(), installedValues(s))),
});

/** Helm's record of the installation (revision 1, deployed). */
export const ciliumRelease = (s: SeedSettings): V1Secret => helmReleaseSecret('cilium', 1, installedValues(s));

export const ciliumDaemonSet = (): V1DaemonSet => ({
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  metadata: { name: CILIUM_DAEMONSET, namespace: CILIUM_NAMESPACE, labels: { 'k8s-app': 'cilium' } },
  spec: {
    selector: { matchLabels: { 'k8s-app': 'cilium' } },
    updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } },
    template: {
      metadata: { labels: { 'k8s-app': 'cilium' } },
      spec: {
        hostNetwork: true,
        priorityClassName: 'system-node-critical',
        tolerations: [{ operator: 'Exists' }],
        containers: [
          { name: 'cilium-agent', image: CILIUM_IMAGE, command: ['cilium-agent'], args: ['--config-dir=/tmp/cilium/config-map'], securityContext: { privileged: true } },
        ],
      },
    },
  },
});

export const ciliumOperator = (): V1Deployment => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'cilium-operator', namespace: CILIUM_NAMESPACE, labels: { 'io.cilium/app': 'operator', name: 'cilium-operator' } },
  spec: {
    replicas: 1,
    selector: { matchLabels: { 'io.cilium/app': 'operator', name: 'cilium-operator' } },
    template: {
      metadata: { labels: { 'io.cilium/app': 'operator', name: 'cilium-operator' } },
      spec: {
        hostNetwork: true,
        priorityClassName: 'system-cluster-critical',
        tolerations: [{ operator: 'Exists' }],
        containers: [{ name: 'cilium-operator', image: 'quay.io/cilium/operator-generic:v1.15.6' }],
      },
    },
  },
});
