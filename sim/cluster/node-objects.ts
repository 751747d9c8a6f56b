/**
 * Pure builders of what a simulated kubelet writes about its node: the Node at registration, its
 * status heartbeat (Ready condition, boot id) and its kube-node-lease Lease.
 */
import type { V1Lease, V1Node, V1NodeCondition, V1NodeStatus, V1Taint } from '@kubernetes/client-node';
import { CONTROL_PLANE_LABEL } from '../../shared/names.js';

export const KUBELET_VERSION = 'v1.28.7';
export const NODE_LEASE_NAMESPACE = 'kube-node-lease';
export const CONTROL_PLANE_TAINT = { key: CONTROL_PLANE_LABEL, effect: 'NoSchedule' } as const;
/** The label on every Node a simulated kubelet plays (value `true`). */
export const SIMULATED_NODE_LABEL = 'sim.cni-migrate.io/simulated';
/** The label naming which simulation plays the node (its node prefix), when several share one cluster. */
export const NODE_PREFIX_LABEL = 'sim.cni-migrate.io/node-prefix';

/** A label selector for exactly the nodes of the simulation with this node prefix. */
export const simulatedNodeSelector = (prefix: string): string => `${SIMULATED_NODE_LABEL}=true,${NODE_PREFIX_LABEL}=${prefix}`;

export interface SimNodeIdentity {
  name: string;
  index: number;
  controlPlane: boolean;
  internalIP: string;
  kernel: string;
  /** The node prefix of the simulation playing it (labelled when set). */
  prefix?: string;
  /** Extra labels on the Node and its Lease (who owns them, when a simulation shares a cluster). */
  labels?: Record<string, string>;
  /** Extra taints on the Node (keeping a real cluster's workloads off simulated nodes). */
  taints?: V1Taint[];
}

/** The node subnet address of the node with this index (172.18.0.2, .3, …). */
export function nodeInternalIP(index: number): string {
  const host = index + 2;
  return `172.18.${Math.floor(host / 256)}.${host % 256}`;
}

export function buildNode(id: SimNodeIdentity): V1Node {
  const labels: Record<string, string> = {
    'kubernetes.io/hostname': id.name,
    'kubernetes.io/os': 'linux',
    'kubernetes.io/arch': 'amd64',
    'beta.kubernetes.io/os': 'linux',
    'beta.kubernetes.io/arch': 'amd64',
    [SIMULATED_NODE_LABEL]: 'true',
    ...id.labels,
  };
  if (id.controlPlane) labels[CONTROL_PLANE_LABEL] = '';
  if (id.prefix !== undefined) labels[NODE_PREFIX_LABEL] = id.prefix;
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: id.name, labels, annotations: { 'cni-migrate.io/simulated': 'true' } },
    spec: { podCIDR: `10.244.${id.index % 256}.0/24`, podCIDRs: [`10.244.${id.index % 256}.0/24`], taints: [...(id.controlPlane ? [{ ...CONTROL_PLANE_TAINT }] : []), ...(id.taints ?? [])] },
  };
}

export interface HeartbeatFacts {
  ready: boolean;
  /** The CNI that set up the node's pod network (reported as NetworkUnavailable=False, CalicoIsUp/CiliumIsUp). */
  cni: 'calico' | 'cilium';
  bootId: string;
  now: Date;
  /** When the Ready condition last changed. */
  readySince: Date;
}

function condition(type: string, status: string, reason: string, facts: HeartbeatFacts): V1NodeCondition {
  return {
    type,
    status,
    reason,
    message: reason,
    lastHeartbeatTime: facts.now,
    lastTransitionTime: facts.readySince,
  };
}

/** The status a heartbeat writes (a merge patch replaces the conditions list whole). */
export function heartbeatStatus(id: SimNodeIdentity, facts: HeartbeatFacts): V1NodeStatus {
  const ready = facts.ready
    ? condition('Ready', 'True', 'KubeletReady', facts)
    : condition('Ready', 'Unknown', 'NodeStatusUnknown', facts);
  return {
    capacity: { cpu: '4', memory: '8Gi', pods: '110', 'ephemeral-storage': '50Gi' },
    allocatable: { cpu: '4', memory: '7800Mi', pods: '110', 'ephemeral-storage': '46Gi' },
    addresses: [
      { type: 'InternalIP', address: id.internalIP },
      { type: 'Hostname', address: id.name },
    ],
    conditions: [
      condition('NetworkUnavailable', 'False', facts.cni === 'cilium' ? 'CiliumIsUp' : 'CalicoIsUp', facts),
      condition('MemoryPressure', 'False', 'KubeletHasSufficientMemory', facts),
      condition('DiskPressure', 'False', 'KubeletHasNoDiskPressure', facts),
      condition('PIDPressure', 'False', 'KubeletHasSufficientPID', facts),
      ready,
    ],
    nodeInfo: {
      machineID: id.name.replace(/[^a-z0-9]/g, '').padEnd(32, '0').slice(0, 32),
      systemUUID: facts.bootId,
      bootID: facts.bootId,
      kernelVersion: id.kernel,
      osImage: 'Debian GNU/Linux 12 (bookworm)',
      containerRuntimeVersion: 'containerd://1.7.13',
      kubeletVersion: KUBELET_VERSION,
      kubeProxyVersion: KUBELET_VERSION,
      operatingSystem: 'linux',
      architecture: 'amd64',
    },
  };
}

/** The node's kube-node-lease Lease, as created (renewTime is set by the renewal patch). */
export function nodeLease(node: string, durationSeconds: number, labels?: Record<string, string>): V1Lease {
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name: node, namespace: NODE_LEASE_NAMESPACE, ...(labels ? { labels: { ...labels } } : {}) },
    spec: { holderIdentity: node, leaseDurationSeconds: durationSeconds },
  };
}

/** A merge patch renewing a Lease. MicroTime must carry exactly six fractional digits. */
export function leaseRenewal(now: Date): { spec: { renewTime: string } } {
  return { spec: { renewTime: microTime(now) } };
}

export function microTime(d: Date): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}
