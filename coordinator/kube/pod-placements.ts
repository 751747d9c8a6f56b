/**
 * Where the pods of the coordinator's namespace (the agents and the probes, whose tokens the gate reviews)
 * run, kept by one watch: a reviewed token's pod is then found here instead of by a GET per pod. Only each
 * pod's uid and node are kept (not the objects). A watch with no resourceVersion first sends the current pods
 * as ADDED events, so one request gives the state and its updates; the server ends it after a bounded time
 * and it starts again (at once; after a failure with capped, jittered backoff, logged once per streak).
 * An answer only ever names a pod with the uid the review returned: a uid is never reused, and a pod-bound
 * token's review already fails once its pod is gone. Every pod is forgotten as soon as a watch ends (one deleted
 * while no watch runs sends no DELETED event), so an answer is a pod the current watch has shown alive: the gate
 * keeps trusting a reviewed token on that (see createTokenReviewAuthenticator). A pod the watch has not shown
 * yet gets no answer: the caller reads it from the API.
 */
import { Watch, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import type { Logger } from '../../shared/logger.js';
import { keepWatching } from '../../shared/keep-watching.js';
import type { PodPlacement } from '../gate/principal.js';

export interface WatchedPlacements {
  /** The pod's placement when the watch has shown that pod (same name and uid) scheduled; else undefined. */
  placement(name: string, uid: string): PodPlacement | undefined;
  stop(): void;
}

/** The server ends each watch after this long (plus its own jitter); the watch then starts again. */
const WATCH_SECONDS = 300;

export function watchPodPlacements(kc: KubeConfig, namespace: string, log: Logger): WatchedPlacements {
  const byName = new Map<string, PodPlacement>();
  const seen = (type: string, name: string, placement: PodPlacement): void => {
    if (type === 'DELETED') {
      if (byName.get(name)?.uid === placement.uid) byName.delete(name);
    } else if (type === 'ADDED' || type === 'MODIFIED') {
      byName.set(name, placement);
    }
  };
  const watching = keepWatching<V1Pod>({
    watch: new Watch(kc),
    path: `/api/v1/namespaces/${namespace}/pods`,
    query: {},
    serverTimeoutSeconds: WATCH_SECONDS,
    what: `pods in ${namespace}`,
    log,
    onGap: () => byName.clear(),
    onEvent(type, pod) {
      const { name, uid } = pod.metadata ?? {};
      if (name !== undefined && uid !== undefined) seen(type, name, { uid, nodeName: pod.spec?.nodeName });
    },
  });

  return {
    placement(name, uid) {
      const known = byName.get(name);
      return known !== undefined && known.uid === uid && known.nodeName !== undefined ? known : undefined;
    },
    stop: () => watching.stop(),
  };
}
