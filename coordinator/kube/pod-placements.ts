/**
 * Where the pods of the coordinator's namespace (the agents and the probes, whose tokens the gate reviews)
 * run, kept by one watch: a reviewed token's pod is then found here instead of by a GET per pod. Only each
 * pod's uid and node are kept (not the objects). A watch with no resourceVersion first sends the current pods
 * as ADDED events, so one request gives the state and its updates; the server ends it after a bounded time
 * and it starts again (at once; after a failure with capped, jittered backoff, logged once per streak).
 * An answer only ever names a pod with the uid the review returned: a uid is never reused, and a pod-bound
 * token's review already fails once its pod is gone, so an entry the watch has not yet dropped cannot admit
 * anyone. A pod the watch has not shown yet gets no answer: the caller reads it from the API.
 */
import { Watch, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import type { Logger } from '../../shared/logger.js';
import { WatchRetry } from '../../shared/watch-retry.js';
import type { PodPlacement } from '../gate/principal.js';

export interface WatchedPlacements {
  /** The pod's placement when the watch has shown that pod (same name and uid) scheduled; else undefined. */
  placement(name: string, uid: string): PodPlacement | undefined;
  stop(): void;
}

/** The server ends each watch after this long (plus its own jitter); the watch then starts again. */
const WATCH_SECONDS = 300;
/** Client side: a watch that neither ends nor answers for this long past its server timeout is cut. */
const GRACE_MS = 30_000;

export function watchPodPlacements(kc: KubeConfig, namespace: string, log: Logger): WatchedPlacements {
  const watch = new Watch(kc);
  const byName = new Map<string, PodPlacement>();
  const retry = new WatchRetry({ log, what: `pods in ${namespace}` });
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let current: AbortController | undefined;

  const seen = (type: string, name: string, placement: PodPlacement): void => {
    if (type === 'DELETED') {
      if (byName.get(name)?.uid === placement.uid) byName.delete(name);
    } else if (type === 'ADDED' || type === 'MODIFIED') {
      byName.set(name, placement);
    }
  };
  const onEvent = (type: string, pod: V1Pod): void => {
    retry.recovered();
    const { name, uid } = pod.metadata ?? {};
    if (name !== undefined && uid !== undefined) seen(type, name, { uid, nodeName: pod.spec?.nodeName });
  };
  const startSoon = (delayMs: number): void => {
    clearTimeout(timer);
    timer = setTimeout(start, delayMs);
  };
  function onDone(err: unknown): void {
    clearTimeout(timer);
    if (stopped) return;
    startSoon(err ? retry.failed(err) : 0);
  }
  function start(): void {
    if (stopped) return;
    const query = { timeoutSeconds: WATCH_SECONDS, allowWatchBookmarks: false };
    watch.watch(`/api/v1/namespaces/${namespace}/pods`, query, onEvent, onDone).then(
      (ctl) => {
        retry.connected();
        current = ctl;
        if (stopped) ctl.abort();
        timer = setTimeout(() => ctl.abort(), WATCH_SECONDS * 1000 + GRACE_MS);
      },
      (err: unknown) => onDone(err),
    );
  }
  start();

  return {
    placement(name, uid) {
      const known = byName.get(name);
      return known !== undefined && known.uid === uid && known.nodeName !== undefined ? known : undefined;
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
      current?.abort();
    },
  };
}
