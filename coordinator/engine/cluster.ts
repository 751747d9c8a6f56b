/**
 * Everything the engine needs from Kubernetes, behind narrow interfaces: the real adapters over
 * client-node here, a scripted in-memory cluster in the tests.
 */
import type { KubeConfig, V1DaemonSet } from '@kubernetes/client-node';
import type { ObservedNode, ObservedPod } from '../core/observed-objects.js';
import type { Logger } from '../../shared/logger.js';
import { eventsApi, type EventsApi } from '../kube/events.js';
import { leasesApi, type LeasesApi } from '../kube/leases.js';
import { migrationApi, watchMigrations, type MigrationApi, type MigrationObject } from '../kube/migration.js';
import { nodesApi, watchNodes, type NodesApi } from '../kube/nodes.js';
import { pdbsApi, type PdbsApi } from '../kube/pdbs.js';
import { watchCiliumDaemonSet } from '../kube/daemonsets.js';
import { podsApi, watchCiliumPods, type PodsApi } from '../kube/pods.js';
import type { Watched } from '../kube/watched.js';
import { clusterObjectsReader } from '../kube/cluster-objects.js';
import type { RawClusterObjects } from '../core/facts/index.js';
import { stageKubeFrom, type StageKube } from './stage-kube.js';

export interface Cluster {
  nodes: NodesApi;
  nodeCache: Watched<ObservedNode>;
  pods: PodsApi;
  ciliumPods: Watched<ObservedPod>;
  leases: LeasesApi;
  events: EventsApi;
  pdbs: PdbsApi;
  ciliumDaemonSet: Watched<V1DaemonSet>;
  migration: MigrationApi;
  migrationCache: Watched<MigrationObject>;
  /** What pre-flight reads of Calico, Cilium and the address space (no Secrets: Helm values are the CLI's). */
  clusterObjects: { read(): Promise<RawClusterObjects> };
  /** What the cluster-level stages read and change; without it, the coordinator stops after the per-node rollout. */
  stages?: StageKube;
}

export interface ClusterOptions {
  namespace: string;
  /** The Migration object this coordinator runs. */
  migrationName: string;
  /** Reported as the Events' source host. */
  host: string | undefined;
  now: () => Date;
}

export function clusterFromKubeConfig(kc: KubeConfig, log: Logger, opts: ClusterOptions): Cluster {
  const readObjects = clusterObjectsReader(kc);
  return {
    nodes: nodesApi(kc),
    nodeCache: watchNodes(kc, log),
    pods: podsApi(kc, log),
    ciliumPods: watchCiliumPods(kc, log),
    leases: leasesApi(kc, opts.namespace),
    events: eventsApi(kc, opts.host, opts.now),
    pdbs: pdbsApi(kc),
    ciliumDaemonSet: watchCiliumDaemonSet(kc, log),
    migration: migrationApi(kc, opts.migrationName),
    migrationCache: watchMigrations(kc, log),
    clusterObjects: { read: () => readObjects({ helm: false }) },
    stages: stageKubeFrom(kc, opts.namespace),
  };
}
