/**
 * Whether this node's Cilium pod is Ready, kept current by a watch on the Cilium pods of this node
 * (a ListWatch with label and field selectors: one LIST, then events), restarted after errors.
 */
import { CoreV1Api, ListWatch, Watch, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { CILIUM_NAMESPACE, CILIUM_POD_SELECTOR } from '../../shared/names.js';
import type { Logger } from '../../shared/logger.js';

export interface CiliumReadiness {
  ready(): boolean;
  /** Called whenever the watched Cilium pod changed (so a heartbeat can report it at once). */
  onChange(cb: () => void): () => void;
  stop(): Promise<void>;
}

export const isPodReady = (pod: V1Pod): boolean =>
  pod.metadata?.deletionTimestamp === undefined &&
  (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');

const RESTART_DELAY_MS = 1000;

export function watchCiliumPodReadiness(kc: KubeConfig, nodeName: string, log: Logger): CiliumReadiness {
  const core = kc.makeApiClient(CoreV1Api);
  const fieldSelector = `spec.nodeName=${nodeName}`;
  const list = () =>
    core.listNamespacedPod({ namespace: CILIUM_NAMESPACE, labelSelector: CILIUM_POD_SELECTOR, fieldSelector });
  const informer = new ListWatch<V1Pod>(
    `/api/v1/namespaces/${CILIUM_NAMESPACE}/pods`,
    new Watch(kc),
    list,
    false,
    CILIUM_POD_SELECTOR,
    fieldSelector,
  );
  const listeners = new Set<() => void>();
  const changed = (): void => listeners.forEach((cb) => cb());
  for (const verb of ['add', 'update', 'delete'] as const) informer.on(verb, changed);
  informer.on('connect', changed);
  let stopped = false;
  let restart: NodeJS.Timeout | undefined;
  const startSoon = (delayMs: number): void => {
    restart = setTimeout(() => {
      if (stopped) return;
      informer.start().catch((err: unknown) => {
        log.warn({ node: nodeName, err }, 'cannot list the Cilium pod; retrying');
        startSoon(RESTART_DELAY_MS);
      });
    }, delayMs);
  };
  informer.on('error', (err: unknown) => {
    if (stopped) return;
    log.warn({ node: nodeName, err }, 'watch of the Cilium pod failed; restarting it');
    startSoon(RESTART_DELAY_MS);
  });
  startSoon(0);
  return {
    ready: () => informer.list(CILIUM_NAMESPACE).some(isPodReady),
    onChange: (cb) => {
      listeners.add(cb);
      return () => listeners.delete(cb);
    },
    async stop() {
      stopped = true;
      clearTimeout(restart);
      await informer.stop();
    },
  };
}
