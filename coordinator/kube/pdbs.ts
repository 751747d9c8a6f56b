/** PodDisruptionBudgets, read to name the one that blocks an eviction. */
import { PolicyV1Api, type KubeConfig, type V1PodDisruptionBudget } from '@kubernetes/client-node';
import { kubeCall } from './api-errors.js';

export interface PdbsApi {
  inNamespace(namespace: string): Promise<V1PodDisruptionBudget[]>;
}

export function pdbsApi(kc: KubeConfig): PdbsApi {
  const policy = kc.makeApiClient(PolicyV1Api);
  return {
    inNamespace: async (namespace) =>
      (await kubeCall(`list PDBs in ${namespace}`, () => policy.listNamespacedPodDisruptionBudget({ namespace }))).items,
  };
}
