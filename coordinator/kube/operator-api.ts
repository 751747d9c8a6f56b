/** What the operator's commands read and write, through client-node: the Migration, the Nodes, and the pods and budgets of a draining node. */
import type { V1Node, V1Pod, V1PodDisruptionBudget } from '@kubernetes/client-node';
import { CoreV1Api, PolicyV1Api, type KubeConfig } from '@kubernetes/client-node';
import { isNotFound, kubeCall, kubeError } from './api-errors.js';
import { migrationApi, watchMigrations, type MigrationApi } from './migration.js';
import { nodesApi, watchNodes, type NodesApi } from './nodes.js';
import { silentLogger } from '../../shared/logger.js';
import { apiClient } from './api-client.js';

export interface OperatorApi {
  migration: MigrationApi;
  nodes: NodesApi;
  readNode(name: string): Promise<V1Node | undefined>;
  listNodes(selector: string): Promise<V1Node[]>;
  podsOn(node: string): Promise<V1Pod[]>;
  pdbs(): Promise<V1PodDisruptionBudget[]>;
  /** Watches the Migrations and the Nodes; `changed` runs on each event. Resolves once both watches listed; returns the stop. */
  watchRollout(changed: () => void): Promise<() => Promise<void>>;
}

export function operatorApi(kc: KubeConfig): OperatorApi {
  const core = apiClient(kc, CoreV1Api);
  const policy = apiClient(kc, PolicyV1Api);
  return {
    migration: migrationApi(kc),
    nodes: nodesApi(kc),
    readNode: async (name) => {
      try {
        return await core.readNode({ name });
      } catch (e) {
        if (isNotFound(e)) return undefined;
        throw kubeError(`read node ${name}`, e);
      }
    },
    listNodes: async (selector) =>
      (await kubeCall('list nodes', () => core.listNode(selector ? { labelSelector: selector } : {}))).items,
    podsOn: async (node) =>
      (await kubeCall(`list pods on ${node}`, () => core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${node}` }))).items,
    pdbs: async () => (await kubeCall('list PodDisruptionBudgets', () => policy.listPodDisruptionBudgetForAllNamespaces())).items,
    watchRollout: async (changed) => {
      const log = silentLogger();
      const watches = [watchMigrations(kc, log), watchNodes(kc, log)];
      const unsubscribe = watches.map((w) => w.onChange(changed));
      await Promise.all(watches.map((w) => w.start()));
      return async () => {
        unsubscribe.forEach((u) => u());
        await Promise.all(watches.map((w) => w.stop()));
      };
    },
  };
}
