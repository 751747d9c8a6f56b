/** Nodes: read through a watch, written with JSON merge patches (cordon, labels, annotations). */
import {
  CoreV1Api,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
  type V1Node,
} from '@kubernetes/client-node';
import type { Logger } from '../../shared/logger.js';
import { kubeCall } from './api-errors.js';
import type { ObservedNode } from '../core/observed-objects.js';
import { projectingInformer, projectNode } from './projections.js';
import { watchedFrom, type Watched } from './watched.js';
import { apiClient } from './api-client.js';
import { projectedAnswer } from './projected-answer.js';

export interface NodePatch {
  unschedulable?: boolean;
  labels?: Record<string, string | null>;
  annotations?: Record<string, string | null>;
}

export interface NodesApi {
  /** Merge-patches the node; returns the node as written, cut to what the coordinator reads of it (ObservedNode's fields). */
  patch(name: string, patch: NodePatch): Promise<V1Node>;
  /** Names of the nodes a label selector (kubectl `-l` syntax) selects, filtered by the API server. */
  namesMatching(selector: string): Promise<string[]>;
}

/** The JSON merge patch body for a NodePatch. */
export function nodeMergePatch(p: NodePatch): Record<string, unknown> {
  const metadata: Record<string, unknown> = {};
  if (p.labels) metadata['labels'] = p.labels;
  if (p.annotations) metadata['annotations'] = p.annotations;
  return {
    ...(Object.keys(metadata).length > 0 ? { metadata } : {}),
    ...(p.unschedulable !== undefined ? { spec: { unschedulable: p.unschedulable ? true : null } } : {}),
  };
}

export function nodesApi(kc: KubeConfig): NodesApi {
  const core = apiClient(kc, CoreV1Api);
  const merge = projectedAnswer(projectNode, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
  return {
    patch: (name, patch) =>
      kubeCall(`patch node ${name}`, () => core.patchNode({ name, body: nodeMergePatch(patch) }, merge)),
    namesMatching: async (selector) => {
      const list = await kubeCall('list nodes', () =>
        core.listNode(selector ? { labelSelector: selector } : {}),
      );
      return list.items.map((n) => n.metadata?.name ?? '').filter((n) => n !== '');
    },
  };
}

/** Every Node, each kept as the fields the coordinator reads of it. */
export function watchNodes(kc: KubeConfig, log: Logger): Watched<ObservedNode> {
  const core = apiClient(kc, CoreV1Api);
  return watchedFrom(projectingInformer({ kc, path: '/api/v1/nodes', list: (page) => core.listNode(page) }, projectNode), log, 'nodes');
}

export const nodeName = (n: ObservedNode): string => n.metadata?.name ?? '';

export function isNodeReady(n: ObservedNode): boolean {
  return n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}
