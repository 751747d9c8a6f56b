/**
 * The registry of simulated nodes: identity, boot id, whether the node is up, its network model state,
 * and the "containers" its kubelet runs (pod uid → address, start time, readiness). In-memory bookkeeping
 * only; the kubelet reports it to the API.
 */
import { randomUUID } from 'node:crypto';
import type { V1Node } from '@kubernetes/client-node';
import { applyNetworkEvent, initialNodeNetwork, lowestFreeHost, podAddress, SEED_POOLS, type Cni, type NetworkEvent, type NodeNetwork, type Pools } from './network-model.js';
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
  /** First part of every node name (default `sim`). */
  prefix?: string;
  /** Address/pod-block indexes already used by other nodes of the cluster (skipped). */
  takenIndexes?: ReadonlySet<number>;
}

/** The `count` lowest indexes not in `taken`. */
export function freeIndexes(count: number, taken: ReadonlySet<number>): number[] {
  const out: number[] = [];
  for (let i = 0; out.length < count; i++) if (!taken.has(i)) out.push(i);
  return out;
}

/**
 * The indexes the cluster's other nodes already use: their pod block (`10.244.X.0/24`) and, for nodes of
 * another simulation, their node-subnet address. Nodes named in `ours` (re-adopted) do not count.
 */
export function indexesInUse(nodes: readonly V1Node[], ours: ReadonlySet<string>): Set<number> {
  const taken = new Set<number>();
  for (const node of nodes) {
    if (!ours.has(node.metadata?.name ?? '')) for (const i of indexesOf(node)) taken.add(i);
  }
  return taken;
}

function indexesOf(node: V1Node): number[] {
  const block = /^10\.244\.(\d+)\.0\/24$/.exec(node.spec?.podCIDR ?? '');
  const addresses = (node.status?.addresses ?? []).filter((a) => a.type === 'InternalIP');
  const subnet = addresses.map((a) => /^172\.18\.(\d+)\.(\d+)$/.exec(a.address)).filter((m) => m !== null);
  return [...(block ? [Number(block[1])] : []), ...subnet.map((m) => Number(m[1]) * 256 + Number(m[2]) - 2)];
}

/**
 * `sim-cp-1…`, then `sim-worker-1…` (another prefix replaces `sim`), each with the lowest free index for
 * its address and pod blocks.
 */
export function nodeIdentities(layout: NodeLayout): SimNodeIdentity[] {
  const prefix = layout.prefix ?? 'sim';
  const indexes = freeIndexes(layout.nodes, layout.takenIndexes ?? new Set());
  return indexes.map((index, i) => {
    const controlPlane = i < layout.controlPlanes;
    const name = controlPlane ? `${prefix}-cp-${i + 1}` : `${prefix}-worker-${i - layout.controlPlanes + 1}`;
    return { name, index, controlPlane, internalIP: nodeInternalIP(index), kernel: layout.kernel ?? '6.1.0-18-amd64', prefix };
  });
}

interface Located {
  node: SimNodeState;
  runtime: PodRuntime;
}

export class NodeRegistry {
  private readonly nodes = new Map<string, SimNodeState>();
  /** The running pods with a pod-network address, by address (a probe or check asks per peer). */
  private readonly byIp = new Map<string, Located[]>();
  /** Each CNI's pool, read from the cluster when the kubelets start. */
  pools: Pools = { ...SEED_POOLS };

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
        : { ...base, ip: podAddress(this.pools[cni], node.id.index, host), cni, host };
    if (host !== undefined) node.used[cni].add(host);
    this.unindex(node.pods.get(uid));
    node.pods.set(uid, runtime);
    if (runtime.cni) this.byIp.set(runtime.ip, [...(this.byIp.get(runtime.ip) ?? []), { node, runtime }]);
    return runtime;
  }

  /** Stop a pod's containers and free its address. */
  stopPod(node: SimNodeState, uid: string): void {
    const runtime = node.pods.get(uid);
    if (!runtime) return;
    if (runtime.cni && runtime.host !== undefined) node.used[runtime.cni].delete(runtime.host);
    node.pods.delete(uid);
    this.unindex(runtime);
  }

  private unindex(runtime: PodRuntime | undefined): void {
    if (!runtime) return;
    const others = this.byIp.get(runtime.ip)?.filter((l) => l.runtime !== runtime) ?? [];
    if (others.length > 0) this.byIp.set(runtime.ip, others);
    else this.byIp.delete(runtime.ip);
  }

  /** Every container on the node stops (power off); each restarts later with one more restart. */
  stopAll(node: SimNodeState): void {
    for (const uid of [...node.pods.keys()]) {
      node.restarts.set(uid, (node.restarts.get(uid) ?? 0) + 1);
      this.stopPod(node, uid);
    }
  }

  /** The running pod that owns a pod-network address, anywhere in the cluster. */
  findByIp(ip: string): Located | undefined {
    return this.byIp.get(ip)?.find((l) => !l.runtime.finished);
  }
}
