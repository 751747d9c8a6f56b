/**
 * The registry of simulated nodes: identity, boot id, whether the node is up, its network model state,
 * and the "containers" its kubelet runs (pod uid → address, start time, readiness). In-memory bookkeeping
 * only; the kubelet reports it to the API.
 */
import { randomUUID } from 'node:crypto';
import { applyNetworkEvent, initialNodeNetwork, lowestFreeHost, podAddress, type Cni, type NetworkEvent, type NodeNetwork } from './network-model.js';
import { nodeInternalIP, type SimNodeIdentity } from './node-objects.js';

export interface PodRuntime {
  ip: string;
  /** The pool the address came from; undefined for hostNetwork pods (they use the node address). */
  cni: Cni | undefined;
  host: number | undefined;
  startedAt: Date;
  restartCount: number;
  ready: boolean;
  /** A run-once pod (the check pod) that already reported its result. */
  finished: boolean;
}

export interface SimNodeState {
  id: SimNodeIdentity;
  bootId: string;
  up: boolean;
  rebooting: boolean;
  readySince: Date;
  network: NodeNetwork;
  /** Running pods by uid. */
  pods: Map<string, PodRuntime>;
  /** Restarts per pod uid, carried over reboots. */
  restarts: Map<string, number>;
  /** Uids of Cilium pods already seen on this node (each new one is a re-creation). */
  ciliumPods: Set<string>;
  used: Record<Cni, Set<number>>;
}

export interface NodeLayout {
  nodes: number;
  controlPlanes: number;
  kernel?: string;
}

/** `sim-cp-1…`, then `sim-worker-1…`, numbered across both kinds for their addresses and blocks. */
export function nodeIdentities(layout: NodeLayout): SimNodeIdentity[] {
  const ids: SimNodeIdentity[] = [];
  for (let i = 0; i < layout.nodes; i++) {
    const controlPlane = i < layout.controlPlanes;
    const name = controlPlane ? `sim-cp-${i + 1}` : `sim-worker-${i - layout.controlPlanes + 1}`;
    ids.push({ name, index: i, controlPlane, internalIP: nodeInternalIP(i), kernel: layout.kernel ?? '6.1.0-18-amd64' });
  }
  return ids;
}

export class NodeRegistry {
  private readonly nodes = new Map<string, SimNodeState>();

  add(id: SimNodeIdentity, now: Date): SimNodeState {
    const state: SimNodeState = {
      id,
      bootId: randomUUID(),
      up: true,
      rebooting: false,
      readySince: now,
      network: initialNodeNetwork(),
      pods: new Map(),
      restarts: new Map(),
      ciliumPods: new Set(),
      used: { calico: new Set(), cilium: new Set() },
    };
    this.nodes.set(id.name, state);
    return state;
  }

  get(name: string | undefined): SimNodeState | undefined {
    return name === undefined ? undefined : this.nodes.get(name);
  }

  all(): SimNodeState[] {
    return [...this.nodes.values()];
  }

  names(): string[] {
    return [...this.nodes.keys()];
  }

  observe(node: SimNodeState, event: NetworkEvent): void {
    node.network = applyNetworkEvent(node.network, event);
  }

  /** Start a pod's containers: an address from the node's active pool (or the node's own for hostNetwork). */
  startPod(node: SimNodeState, uid: string, opts: { hostNetwork: boolean; ready: boolean; now: Date }): PodRuntime {
    const restartCount = node.restarts.get(uid) ?? 0;
    const base = { startedAt: opts.now, restartCount, ready: opts.ready, finished: false };
    const cni = node.network.active;
    const host = opts.hostNetwork ? undefined : lowestFreeHost(node.used[cni]);
    const runtime: PodRuntime =
      host === undefined
        ? { ...base, ip: node.id.internalIP, cni: undefined, host: undefined }
        : { ...base, ip: podAddress(cni, node.id.index, host), cni, host };
    if (host !== undefined) node.used[cni].add(host);
    node.pods.set(uid, runtime);
    return runtime;
  }

  /** Stop a pod's containers and free its address. */
  stopPod(node: SimNodeState, uid: string): void {
    const runtime = node.pods.get(uid);
    if (!runtime) return;
    if (runtime.cni && runtime.host !== undefined) node.used[runtime.cni].delete(runtime.host);
    node.pods.delete(uid);
  }

  /** Every container on the node stops (power off); each restarts later with one more restart. */
  stopAll(node: SimNodeState): void {
    for (const uid of [...node.pods.keys()]) {
      node.restarts.set(uid, (node.restarts.get(uid) ?? 0) + 1);
      this.stopPod(node, uid);
    }
  }

  /** The running pod that owns a pod-network address, anywhere in the cluster. */
  findByIp(ip: string): { node: SimNodeState; runtime: PodRuntime } | undefined {
    for (const node of this.nodes.values()) {
      for (const runtime of node.pods.values()) if (runtime.cni && !runtime.finished && runtime.ip === ip) return { node, runtime };
    }
    return undefined;
  }
}
