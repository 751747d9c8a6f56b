/**
 * `startSimCluster`: the whole simulated cluster. Embedded mode starts the API server, seeds it, and runs
 * the controllers and kubelets in-process; the third mode (a kubeconfig given) seeds an existing API
 * server and plays only the kubelets of the simulated nodes, leaving control to the real controllers.
 */
import { KubeConfig } from '@kubernetes/client-node';
import { ConfigError, describeError } from '../../shared/errors.js';
import { silentLogger, type Logger } from '../../shared/logger.js';
import { startApiServer, type SimApiServer } from '../apiserver/index.js';
import { startControllers, type RunningControllers } from './controllers/index.js';
import { FaultBoard, NodeFaultsSchema, type NodeFaults, type NodeFaultsInput } from './faults.js';
import { InformerSet } from './informers.js';
import { kubeClients, type KubeClients } from './kube.js';
import { SimKubelets } from './kubelet.js';
import type { NodeNetwork } from './network-model.js';
import type { PodLocation } from './probe-model.js';
import type { NodeRegistry } from './node-registry.js';
import { NODE_PREFIX_LABEL, SIMULATED_NODE_LABEL, simulatedNodeSelector } from './node-objects.js';
import { indexesInUse, nodeIdentities, type NodeLayout } from './node-registry.js';
import { blockEvictions, unblockEvictions, type EvictionBlock } from './pdb-faults.js';
import { seededRandom } from './rand.js';
import { seedCluster, type SeedOptions } from './seed/index.js';
import { parseSimOptions, type ResolvedSimClusterOptions, type SimClusterOptions } from './sim-options.js';

export interface SimFaults {
  /** Set (merge) fault switches on one node. */
  set(node: string, faults: NodeFaultsInput): NodeFaults;
  of(node: string): NodeFaults;
  clear(node: string): void;
  /** The PDB over these pods demands all of them (minAvailable 100%): their evictions are never allowed. */
  blockEvictions(namespace: string, matchLabels: Record<string, string>): Promise<EvictionBlock>;
  unblockEvictions(block: EvictionBlock): Promise<void>;
}

export interface SimCluster {
  /** The embedded API server (undefined in the third mode). */
  api: SimApiServer | undefined;
  kubeConfig(): KubeConfig;
  rebootNode(name: string): Promise<void>;
  bootId(name: string): string;
  kernel(name: string): string;
  /** Whether the node's Cilium pod carries the migration config (a reboot would hand the node to Cilium). */
  ciliumManaged(name: string): boolean;
  network: { of(name: string): NodeNetwork };
  /** Where each running pod-network address is now (a snapshot): the simulated probe's view of the pod network. */
  podLocations(): Map<string, PodLocation>;
  nodeNames(): string[];
  /** A label selector matching exactly this simulation's nodes. */
  nodeSelector: string;
  faults: SimFaults;
  /** Resolves once controllers and kubelets have no queued work (handy in tests). */
  settled(): Promise<void>;
  close(): Promise<void>;
}

function podLocations(registry: NodeRegistry, board: FaultBoard): Map<string, PodLocation> {
  const out = new Map<string, PodLocation>();
  for (const node of registry.all()) {
    const networkBroken = board.of(node.id.name).podNetworkBroken;
    for (const r of node.pods.values()) {
      if (r.cni && !r.finished) out.set(r.ip, { node: node.id.name, cni: r.cni, nodeUp: node.up, networkBroken });
    }
  }
  return out;
}

function simFaults(board: FaultBoard, clients: KubeClients): SimFaults {
  return {
    set: (node, f) => board.set(node, f),
    of: (node) => board.of(node),
    clear: (node) => board.clear(node),
    blockEvictions: (namespace, matchLabels) => blockEvictions(clients, namespace, matchLabels),
    unblockEvictions: (block) => unblockEvictions(clients, block),
  };
}

async function connect(opts: SimClusterOptions): Promise<{ api: SimApiServer | undefined; kc: KubeConfig }> {
  if (opts.kubeconfig === undefined) {
    const api = await startApiServer({ port: opts.port ?? 0, ...(opts.host ? { host: opts.host } : {}), ...(opts.tls ? { tls: opts.tls } : {}) });
    return { api, kc: api.kubeConfig() };
  }
  const kc = new KubeConfig();
  try {
    kc.loadFromFile(opts.kubeconfig);
  } catch (e) {
    throw new ConfigError(`cannot read kubeconfig ${opts.kubeconfig}: ${describeError(e)}`, ['kubeconfig']);
  }
  return { api: undefined, kc };
}

/** The simulated nodes' names and indexes, clear of the nodes the cluster already has (third mode). */
async function layoutBeside(clients: KubeClients, opts: ResolvedSimClusterOptions): Promise<NodeLayout> {
  const layout = { nodes: opts.nodes, controlPlanes: opts.controlPlanes, prefix: opts.nodePrefix };
  const ours = new Set(nodeIdentities(layout).map((id) => id.name));
  const existing = await clients.core.listNode();
  return { ...layout, takenIndexes: indexesInUse(existing.items, ours) };
}

/**
 * Seeded objects carry the owner labels; seeded workloads run only on this simulation's nodes and tolerate
 * their taints (in a shared cluster, nothing seeded lands on a real node).
 */
function seedPlacement(opts: ResolvedSimClusterOptions): Pick<SeedOptions, 'labels' | 'placement'> {
  if (opts.ownerLabels === undefined && opts.nodeTaints === undefined) return {};
  return {
    ...(opts.ownerLabels ? { labels: opts.ownerLabels } : {}),
    placement: {
      nodeSelector: { [SIMULATED_NODE_LABEL]: 'true', [NODE_PREFIX_LABEL]: opts.nodePrefix },
      tolerations: (opts.nodeTaints ?? []).map((t) => ({ key: t.key, operator: 'Exists', effect: t.effect })),
    },
  };
}

export async function startSimCluster(input: SimClusterOptions, log: Logger = silentLogger()): Promise<SimCluster> {
  const opts = parseSimOptions(input);
  const { api, kc } = await connect(opts);
  const clients = kubeClients(kc);
  const informers = new InformerSet(clients, log);
  const board = new FaultBoard(NodeFaultsSchema.parse(opts.faults ?? {}));
  let controllers: RunningControllers | undefined;
  const kubelets = new SimKubelets({
    clients,
    informers,
    log: log.child({ part: 'kubelet' }),
    faults: board,
    seed: opts.seed,
    rebootDowntimeMs: opts.rebootDowntimeMs,
    ciliumReadyDelayMs: opts.ciliumReadyDelayMs,
    heartbeatIntervalMs: opts.heartbeatIntervalMs,
    statusReportIntervalMs: opts.statusReportIntervalMs,
    statusRetryMs: opts.statusRetryMs,
    deleteDelayMs: opts.deleteDelayMs,
    apiUrl: kc.getCurrentCluster()?.server ?? 'https://kubernetes.default.svc',
  });
  try {
    await seedCluster(kc, { withoutDemoWorkloads: opts.withoutDemoWorkloads, ...opts.shape, ...seedPlacement(opts) });
    const identities = nodeIdentities(await layoutBeside(clients, opts));
    await kubelets.start(identities.map((id) => ({ ...id, ...(opts.ownerLabels ? { labels: opts.ownerLabels } : {}), ...(opts.nodeTaints ? { taints: opts.nodeTaints } : {}) })));
    if (api) controllers = await startControllers({ clients, random: seededRandom(opts.seed), log: log.child({ part: 'controllers' }) }, informers);
  } catch (e) {
    kubelets.stop();
    await informers.stop();
    await api?.close();
    throw e;
  }
  return {
    api,
    kubeConfig: () => kc,
    rebootNode: (name) => kubelets.rebootNode(name),
    bootId: (name) => kubelets.bootId(name),
    kernel: (name) => kubelets.kernel(name),
    ciliumManaged: (name) => kubelets.network(name).ciliumPodConfiguredFor === 'cilium',
    network: { of: (name) => kubelets.network(name) },
    podLocations: () => podLocations(kubelets.registry, board),
    nodeNames: () => kubelets.registry.names(),
    nodeSelector: simulatedNodeSelector(opts.nodePrefix),
    faults: simFaults(board, clients),
    settled: async () => {
      await Promise.all([controllers?.idle(), kubelets.idle()]);
    },
    close: async () => {
      controllers?.stop();
      kubelets.stop();
      await informers.stop();
      await api?.close();
    },
  };
}
