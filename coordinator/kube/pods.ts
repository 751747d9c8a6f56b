/**
 * Pods: the node's Cilium pod (watched), evictions through policy/v1, deletion with a uid precondition,
 * a per-node pod watch (a ListWatch with a field selector) for drains and validation peers, and running
 * pods cluster-wide for the revalidation after the rollout.
 */
import {
  CoreV1Api,
  ListWatch,
  Watch,
  type KubeConfig,
  type V1Pod,
  type V1PodList,
} from '@kubernetes/client-node';
import type { Logger } from '../../shared/logger.js';
import { CILIUM_NAMESPACE, CILIUM_POD_SELECTOR } from '../../shared/names.js';
import { httpStatusOf, kubeCall, kubeError, statusMessageOf } from './api-errors.js';
import type { ObservedPod } from '../core/observed-objects.js';
import { LIST_PAGE_SIZE, listProjected, projectingInformer, projectPod, projectRunningPod } from './projections.js';
import { watchedFrom, type Watched } from './watched.js';
import { apiClient } from './api-client.js';

export type EvictionOutcome = { kind: 'evicted' } | { kind: 'gone' } | { kind: 'blocked'; message: string };

export interface PodRef {
  namespace: string;
  name: string;
}

export interface PodsApi {
  evict(pod: PodRef): Promise<EvictionOutcome>;
  /** Deletes the pod only while it still has this uid (a replacement is never deleted). */
  deleteIfUid(pod: PodRef, uid: string): Promise<void>;
  /** The pods bound to one node now (one request). */
  listNodePods(node: string): Promise<NodePods>;
  /**
   * A watch of the pods bound to one node; given `from` (that node's list), it starts watching from that
   * list's resourceVersion instead of listing again.
   */
  watchNodePods(node: string, from?: NodePods): Watched<V1Pod>;
  /** Running pods cluster-wide, listed in pages and projected (pre-flight, and the peers of the revalidation after the rollout; not used per node). */
  runningPods(): Promise<V1Pod[]>;
}

/** A node's pods as listed, and the resourceVersion a watch continues from. */
export interface NodePods {
  items: V1Pod[];
  resourceVersion: string | undefined;
}

const nodeSelector = (node: string): string => `spec.nodeName=${node}`;

/** The uid of the pod of that name now (undefined when there is none). */
async function podUidOf(core: CoreV1Api, pod: PodRef): Promise<string | undefined> {
  try {
    return (await core.readNamespacedPod({ name: pod.name, namespace: pod.namespace })).metadata?.uid;
  } catch (e) {
    if (httpStatusOf(e) === 404) return undefined;
    throw kubeError(`read pod ${pod.namespace}/${pod.name}`, e);
  }
}

/** `listPageSize`: the running pods per list request (a test asks for smaller pages). */
export function podsApi(kc: KubeConfig, log: Logger, listPageSize = LIST_PAGE_SIZE): PodsApi {
  const core = apiClient(kc, CoreV1Api);
  return {
    evict: async (pod) => {
      try {
        await core.createNamespacedPodEviction({
          name: pod.name,
          namespace: pod.namespace,
          body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: pod.name, namespace: pod.namespace } },
        });
        return { kind: 'evicted' };
      } catch (e) {
        const code = httpStatusOf(e);
        if (code === 404) return { kind: 'gone' };
        if (code === 429) return { kind: 'blocked', message: statusMessageOf(e) };
        throw kubeError(`evict pod ${pod.namespace}/${pod.name}`, e);
      }
    },
    deleteIfUid: async (pod, uid) => {
      try {
        await core.deleteNamespacedPod({ name: pod.name, namespace: pod.namespace, body: { preconditions: { uid } } });
      } catch (e) {
        const code = httpStatusOf(e);
        if (code === 404) return;
        // A 409 is the uid precondition failing (the pod was replaced) only if the pod now has another uid.
        if (code === 409 && (await podUidOf(core, pod)) !== uid) return;
        throw kubeError(`delete pod ${pod.namespace}/${pod.name}`, e);
      }
    },
    // In pages: one answer holding every running pod of a large cluster is parsed in one go, and that stalled the
    // coordinator's event loop for seconds (a leader that misses its renewal, lost again with each new term's pre-flight).
    runningPods: async () =>
      (
        await kubeCall('list running pods', () =>
          listProjected((page) => core.listPodForAllNamespaces({ fieldSelector: 'status.phase=Running', ...page }), projectRunningPod, listPageSize),
        )
      ).items,
    listNodePods: async (node) => {
      const list = await kubeCall(`list the pods on ${node}`, () => core.listPodForAllNamespaces({ fieldSelector: nodeSelector(node) }));
      return { items: list.items, resourceVersion: list.metadata?.resourceVersion };
    },
    watchNodePods: (node, from) => {
      let given = from && { metadata: { resourceVersion: from.resourceVersion }, items: from.items };
      const list = (): Promise<V1PodList> => {
        // The first list is the one the caller already has (a restart lists again).
        const first = given;
        given = undefined;
        return first ? Promise.resolve(first) : core.listPodForAllNamespaces({ fieldSelector: nodeSelector(node) });
      };
      return watchedFrom(new ListWatch<V1Pod>('/api/v1/pods', new Watch(kc), list, false, undefined, nodeSelector(node)), log, `pods on ${node}`);
    },
  };
}

/** Every Cilium agent pod (kube-system, k8s-app=cilium), each kept as the fields the coordinator reads of it. */
export function watchCiliumPods(kc: KubeConfig, log: Logger): Watched<ObservedPod> {
  const core = apiClient(kc, CoreV1Api);
  const informer = projectingInformer(
    {
      kc,
      path: `/api/v1/namespaces/${CILIUM_NAMESPACE}/pods`,
      list: (page) => core.listNamespacedPod({ namespace: CILIUM_NAMESPACE, labelSelector: CILIUM_POD_SELECTOR, ...page }),
      labelSelector: CILIUM_POD_SELECTOR,
    },
    projectPod,
  );
  return watchedFrom(informer, log, 'cilium pods');
}

export function isPodReady(p: ObservedPod): boolean {
  if (p.metadata?.deletionTimestamp) return false;
  return p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}
