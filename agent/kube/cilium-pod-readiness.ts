/**
 * Whether this node's Cilium pod is Ready, kept current by one watch on the Cilium pods of this node
 * (label and field selectors), restarted after errors with capped, jittered backoff (shared/watch-retry).
 */
import { Watch, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { CILIUM_NAMESPACE, CILIUM_POD_SELECTOR } from '../../shared/names.js';
import type { Logger } from '../../shared/logger.js';
import { WatchRetry } from '../../shared/watch-retry.js';

export interface CiliumReadiness {
  ready(): boolean;
  /** Called whenever the watched Cilium pod changed (so a heartbeat can report it at once). */
  onChange(cb: () => void): () => void;
  stop(): Promise<void>;
}

export const isPodReady = (pod: V1Pod): boolean =>
  pod.metadata?.deletionTimestamp === undefined &&
  (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');

/**
 * A watch with no resourceVersion: the API server first sends the current pods as ADDED events, then
 * every change, so one request gives both the state and its updates (a restarted watch sends the state
 * again, so the pods seen are forgotten first).
 */
export function watchCiliumPodReadiness(kc: KubeConfig, nodeName: string, log: Logger): CiliumReadiness {
  const watch = new Watch(kc);
  const query = { labelSelector: CILIUM_POD_SELECTOR, fieldSelector: `spec.nodeName=${nodeName}` };
  const pods = new Map<string, V1Pod>();
  const listeners = new Set<() => void>();
  const changed = (): void => listeners.forEach((cb) => cb());
  let stopped = false;
  let restart: NodeJS.Timeout | undefined;
  let abort: AbortController | undefined;
  const retry = new WatchRetry({ log: log.child({ node: nodeName }), what: 'the Cilium pod of this node' });
  const onEvent = (type: string, pod: V1Pod): void => {
    retry.recovered();
    const uid = pod.metadata?.uid;
    if (uid === undefined) return;
    if (type === 'DELETED') pods.delete(uid);
    else if (type === 'ADDED' || type === 'MODIFIED') pods.set(uid, pod);
    else return;
    changed();
  };
  const startSoon = (delayMs: number): void => {
    restart = setTimeout(() => {
      if (stopped) return;
      pods.clear();
      watch.watch(`/api/v1/namespaces/${CILIUM_NAMESPACE}/pods`, query, onEvent, onDone).then(
        (ctl) => {
          retry.connected();
          abort = ctl;
          if (stopped) ctl.abort();
        },
        (err: unknown) => onDone(err),
      );
    }, delayMs);
  };
  function onDone(err: unknown): void {
    if (stopped) return;
    // A watch the server ended (its timeout) restarts at once; a failed one after a backoff, logged once per streak.
    startSoon(err ? retry.failed(err) : 0);
  }
  startSoon(0);
  return {
    ready: () => [...pods.values()].some(isPodReady),
    onChange: (cb) => {
      listeners.add(cb);
      return () => listeners.delete(cb);
    },
    stop() {
      stopped = true;
      clearTimeout(restart);
      abort?.abort();
      return Promise.resolve();
    },
  };
}
