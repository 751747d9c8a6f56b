/**
 * ClusterFacts: what the live cluster says about its two CNIs and its address space, read before any node is
 * touched and recorded in the Migration status. Every setting the migration needs (the pod CIDRs the
 * validation expects, the tunnel ports, the Helm values to promote) comes from here, never from a constant.
 * Plain JSON: no Dates, no class instances.
 */

/** How Calico was installed: by the Tigera operator, by the manifest (calico.yaml), or not found. */
export type CalicoInstallMethod = 'operator' | 'manifest' | 'absent';

export type EncapsulationMode = 'Never' | 'Always' | 'CrossSubnet';

export interface IpPoolFacts {
  name: string;
  cidr: string;
  vxlanMode: EncapsulationMode;
  ipipMode: EncapsulationMode;
  natOutgoing: boolean;
  blockSize: number | undefined;
  disabled: boolean;
}

/** FelixConfiguration `default`, with Felix's own defaults filled in where a field is unset. */
export interface FelixFacts {
  /** Whether FelixConfiguration `default` exists (false: every value below is Felix's default). */
  found: boolean;
  vxlanPort: number;
  vxlanVNI: number;
  /** The pod MTU Felix sets on VXLAN routes, when configured (unset: auto-detected by Felix). */
  vxlanMTU: number | undefined;
  iptablesBackend: string;
  nftablesMode: string;
  bpfEnabled: boolean;
}

export interface BgpPeerFacts {
  name: string;
  peerIP: string;
  asNumber: number | undefined;
}

export interface BgpFacts {
  /** BIRD runs: `calico_backend: bird` (manifest) or `spec.calicoNetwork.bgp: Enabled` (operator). */
  enabled: boolean;
  /** Where `enabled` was read. */
  source: string;
  /** BGPPeers: external peering, untested by Cilium's migration guide. */
  peers: BgpPeerFacts[];
}

/** Calico's node address autodetection: `firstFound` can pick `cilium_host` once Cilium runs. */
export interface AutodetectionFacts {
  /** Normalised: `firstFound`, `kubernetes-internal-ip`, `interface=…`, `can-reach=…`, `cidrs=…`, `skip-interface=…`. */
  method: string;
  /** Where it was read (an Installation field or the calico-node env), or "default" when unset. */
  source: string;
}

/** A Calico policy object that Cilium never enforces (projectcalico.org NetworkPolicy and friends). */
export interface CalicoPolicyFacts {
  kind: string;
  namespace: string | undefined;
  name: string;
}

export interface CalicoFacts {
  install: CalicoInstallMethod;
  /** What the install was recognised by (object names), for the report. */
  installEvidence: string[];
  /** `calico_backend` of a manifest install (`bird`, `vxlan`, `none`), when read. */
  backend: string | undefined;
  ipPools: IpPoolFacts[];
  felix: FelixFacts;
  bgp: BgpFacts;
  autodetection: AutodetectionFacts;
  /** The pod MTU Calico configures (Felix vxlanMTU, calico-config veth_mtu or the Installation's mtu). */
  mtu: { value: number; source: string } | undefined;
  policies: CalicoPolicyFacts[];
}

/** The live `kube-system/cilium-config`, by Cilium's own key names. */
export interface CiliumConfigFacts {
  ipam: string | undefined;
  /** `cluster-pool-ipv4-cidr` (space-separated in the ConfigMap). */
  clusterPoolIPv4Cidrs: string[];
  clusterPoolIPv4MaskSize: number | undefined;
  /** `routing-mode`, or `tunnel` when an old chart wrote `tunnel: vxlan|geneve`. */
  routingMode: string | undefined;
  tunnelProtocol: string | undefined;
  /** `tunnel-port`, else the protocol's default (8472 VXLAN, 6081 Geneve). */
  tunnelPort: number;
  tunnelPortSet: boolean;
  /** `custom-cni-conf`: true while Cilium writes no CNI configuration of its own (secondary mode). */
  customCniConf: boolean;
  /** `enable-policy`: default, always or never. */
  enablePolicy: string;
  hostLegacyRouting: boolean;
  /** `unmanaged-pod-watcher-interval` ("0" = off). */
  unmanagedPodWatcherInterval: string | undefined;
  cniExclusive: boolean | undefined;
  writeCniConfWhenReady: string | undefined;
  /** `mtu`: the underlay MTU Cilium was told (unset: auto-detected). */
  mtu: number | undefined;
  /** Every key as found, for `values` and the report. */
  data: Record<string, string>;
}

/** The current Helm release of the Cilium chart, decoded from its `sh.helm.release.v1.*` Secret. */
export interface HelmReleaseFacts {
  name: string;
  namespace: string;
  revision: number;
  status: string;
  chartVersion: string | undefined;
  appVersion: string | undefined;
  /** The user's overrides (`config`): what `helm get values` prints. */
  userValues: Record<string, unknown>;
  /** The chart's defaults (`chart.values`). */
  chartDefaults: Record<string, unknown>;
}

export interface CiliumNodeConfigFacts {
  /** Versions of `ciliumnodeconfigs.cilium.io` the cluster serves (empty: the CRD is absent). */
  servedVersions: string[];
  /** The version to use: `v2` when served (Cilium 1.16+), else `v2alpha1`. */
  version: string | undefined;
  /** Whether `kube-system/cilium-default` exists. */
  exists: boolean;
  /** Its `spec.nodeSelector.matchLabels`, when it exists. */
  matchLabels: Record<string, string> | undefined;
  /** Whether the selector picks exactly the nodes carrying the migration label. */
  selectsMigrationLabel: boolean;
  defaults: Record<string, string>;
}

export interface CiliumFacts {
  /** undefined: no `cilium-config` ConfigMap (Cilium is not installed). */
  config: CiliumConfigFacts | undefined;
  daemonSetFound: boolean;
  operatorFound: boolean;
  /** `not-read`: the reader was not allowed to read Secrets (the in-cluster coordinator); `absent`: no release. */
  helm: HelmReleaseFacts | 'absent' | 'not-read';
  nodeConfig: CiliumNodeConfigFacts;
}

export interface NodeAddressFacts {
  name: string;
  internalIPs: string[];
  podCIDRs: string[];
}

export interface NetworkFacts {
  /** The Service CIDRs and where they were read (kubeadm-config, ServiceCIDR objects, or the `kubernetes` Service's address). */
  serviceCidrs: string[];
  serviceCidrSource: string;
  /** kubeadm's `podSubnet` (what node `spec.podCIDR`s are cut from), when read. */
  podSubnet: string | undefined;
  nodes: NodeAddressFacts[];
}

export interface ClusterFacts {
  calico: CalicoFacts;
  cilium: CiliumFacts;
  network: NetworkFacts;
}
