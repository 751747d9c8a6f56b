/**
 * What `cni-migrate preflight`, `plan` and `values` read, with the user's own credentials: the cluster objects
 * (Helm release Secrets included), every pod and PodDisruptionBudget, the nodes, and the Migration's spec.
 */
import { CoreV1Api, PolicyV1Api, type KubeConfig, type V1Node, type V1Pod, type V1PodDisruptionBudget } from '@kubernetes/client-node';
import type { RawClusterObjects } from '../core/facts/index.js';
import { parseMigrationSpec, type MigrationSpec } from '../core/migration-spec.js';
import { ConfigError } from '../../shared/errors.js';
import { kubeCall } from './api-errors.js';
import { clusterObjectsReader } from './cluster-objects.js';
import { migrationApi } from './migration.js';
import { apiClient } from './api-client.js';

export interface ClusterRead {
  raw: RawClusterObjects;
  pods: V1Pod[];
  pdbs: V1PodDisruptionBudget[];
  /** The nodes the Migration selects (all, without a Migration or a selector). */
  selected: V1Node[];
  /** The Migration's spec, or the defaults when there is no Migration yet. */
  spec: MigrationSpec;
}

export type ClusterReader = () => Promise<ClusterRead>;

export function clusterReader(kc: KubeConfig): ClusterReader {
  const core = apiClient(kc, CoreV1Api);
  const policy = apiClient(kc, PolicyV1Api);
  const objects = clusterObjectsReader(kc);
  return async () => {
    const migration = await migrationApi(kc).get();
    const parsed = parseMigrationSpec(migration?.spec);
    if (!parsed.ok) throw new ConfigError(`Migration default has an invalid spec: ${parsed.error}`);
    const spec = parsed.spec;
    const [raw, pods, pdbs, selected] = await Promise.all([
      objects({ helm: true }),
      kubeCall('list pods', () => core.listPodForAllNamespaces()),
      kubeCall('list PodDisruptionBudgets', () => policy.listPodDisruptionBudgetForAllNamespaces()),
      kubeCall('list nodes', () => core.listNode(spec.nodeSelector ? { labelSelector: spec.nodeSelector } : {})),
    ]);
    return { raw, pods: pods.items, pdbs: pdbs.items, selected: selected.items, spec };
  };
}
