/**
 * The API objects the cluster reader fetches, as fetched: the one input of the pure `clusterFactsFrom`.
 * A missing object is undefined; a missing kind (CRD not installed) is an empty list.
 */
import type { V1ConfigMap, V1DaemonSet, V1Deployment, V1Node, V1Secret, V1Service } from '@kubernetes/client-node';

/** A custom object as listed: only what every object has is typed here; parsers read the rest. */
export type RawObject = Record<string, unknown>;

export interface RawCrdVersions {
  name: string;
  versions: { name: string; served: boolean }[];
}

export interface RawClusterObjects {
  /** `installations.operator.tigera.io/default`. */
  installation: RawObject | undefined;
  /** `tigera-operator/tigera-operator`. */
  tigeraOperator: V1Deployment | undefined;
  calicoSystemNamespace: boolean;
  /** `calico-node` DaemonSets (kube-system for a manifest install, calico-system for the operator's). */
  calicoNodes: V1DaemonSet[];
  /** `kube-system/calico-config`. */
  calicoConfig: V1ConfigMap | undefined;
  ipPools: RawObject[];
  felixConfigurations: RawObject[];
  bgpPeers: RawObject[];
  /** projectcalico.org policy objects, each with its kind. */
  calicoPolicies: RawObject[];
  ciliumConfig: V1ConfigMap | undefined;
  ciliumDaemonSet: V1DaemonSet | undefined;
  ciliumOperator: V1Deployment | undefined;
  /** Helm release Secrets (label owner=helm) of the Cilium namespace; undefined when not read. */
  helmSecrets: V1Secret[] | undefined;
  /** The CiliumNodeConfig CRD's versions, when the CRD exists. */
  ciliumNodeConfigCrd: RawCrdVersions | undefined;
  /** `kube-system/cilium-default`. */
  ciliumNodeConfig: RawObject | undefined;
  /** `kube-system/kubeadm-config`, when the cluster was set up by kubeadm. */
  kubeadmConfig: V1ConfigMap | undefined;
  /** `default/kubernetes`: its ClusterIP is the first address of the Service CIDR. */
  kubernetesService: V1Service | undefined;
  nodes: V1Node[];
}

/** Every field empty: a cluster with nothing installed (tests start from here). */
export const emptyClusterObjects = (): RawClusterObjects => ({
  installation: undefined,
  tigeraOperator: undefined,
  calicoSystemNamespace: false,
  calicoNodes: [],
  calicoConfig: undefined,
  ipPools: [],
  felixConfigurations: [],
  bgpPeers: [],
  calicoPolicies: [],
  ciliumConfig: undefined,
  ciliumDaemonSet: undefined,
  ciliumOperator: undefined,
  helmSecrets: undefined,
  ciliumNodeConfigCrd: undefined,
  ciliumNodeConfig: undefined,
  kubeadmConfig: undefined,
  kubernetesService: undefined,
  nodes: [],
});
