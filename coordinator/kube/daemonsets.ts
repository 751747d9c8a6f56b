/**
 * The Cilium agent DaemonSet (`kube-system/cilium`), watched: a new node is granted only while it is
 * rolled out everywhere, and its status changes wake the engine.
 */
import { AppsV1Api, ListWatch, Watch, type KubeConfig, type V1DaemonSet } from '@kubernetes/client-node';
import type { Logger } from '../../shared/logger.js';
import { CILIUM_DAEMONSET, CILIUM_NAMESPACE } from '../../shared/names.js';
import { watchedFrom, type Watched } from './watched.js';
import { apiClient } from './api-client.js';

export function watchCiliumDaemonSet(kc: KubeConfig, log: Logger): Watched<V1DaemonSet> {
  const apps = apiClient(kc, AppsV1Api);
  const byName = `metadata.name=${CILIUM_DAEMONSET}`;
  return watchedFrom(
    new ListWatch<V1DaemonSet>(
      `/apis/apps/v1/namespaces/${CILIUM_NAMESPACE}/daemonsets`,
      new Watch(kc),
      () => apps.listNamespacedDaemonSet({ namespace: CILIUM_NAMESPACE, fieldSelector: byName }),
      false,
      undefined,
      byName,
    ),
    log,
    'cilium daemonset',
  );
}
