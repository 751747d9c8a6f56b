/** PodDisruptionBudgets, read to name the one that blocks an eviction. */
import { PolicyV1Api, type KubeConfig, type V1PodDisruptionBudget } from '@kubernetes/client-node';
import { kubeCall } from './api-errors.js';
import { apiClient } from './api-client.js';

export interface PdbsApi {
  inNamespace(namespace: string): Promise<V1PodDisruptionBudget[]>;
  /** Every PDB of the cluster (pre-flight: budgets that can never allow an eviction). */
  all(): Promise<V1PodDisruptionBudget[]>;
}

export function pdbsApi(kc: KubeConfig): PdbsApi {
  const policy = apiClient(kc, PolicyV1Api);
  return {
    inNamespace: async (namespace) =>
      (await kubeCall(`list PDBs in ${namespace}`, () => policy.listNamespacedPodDisruptionBudget({ namespace }))).items,
    all: async () => (await kubeCall('list PDBs', () => policy.listPodDisruptionBudgetForAllNamespaces())).items,
  };
}
