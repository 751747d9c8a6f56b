/**
 * Which watch events are worth a reconcile pass: those that change what a pass reads of the object. A kubelet's
 * status heartbeat (a new lastHeartbeatTime, nothing else) changes nothing a pass decides on; at a thousand nodes
 * those heartbeats alone would run a pass over every node dozens of times a second.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import type { ObservedNode, ObservedPod } from '../core/observed-objects.js';
import type { Watched } from '../kube/watched.js';

const readyOf = (conds: readonly { type: string; status: string }[] | undefined): string | undefined => conds?.find((c) => c.type === 'Ready')?.status;

/** What any part of a pass reads of a Node: labels (scope, kind, zone), annotations (the recorded state), cordon, taints, readiness, boot id. */
export function nodeFingerprint(n: ObservedNode): string {
  return JSON.stringify([n.metadata?.labels, n.metadata?.annotations, n.spec?.unschedulable, n.spec?.taints, readyOf(n.status?.conditions), n.status?.nodeInfo?.bootID]);
}

/** What a pass reads of a Cilium pod: its node, identity, whether it is being deleted, and readiness. */
export function podFingerprint(p: ObservedPod): string {
  return JSON.stringify([p.spec?.nodeName, p.metadata?.uid, p.metadata?.deletionTimestamp !== undefined, readyOf(p.status?.conditions)]);
}

const keyOf = (o: KubernetesObject): string => `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;

/**
 * Calls `wake` with the object of an event only when it came, went, or changed its fingerprint since the last
 * event for it, and is not the echo of the engine's own write (`ownWrite`: the engine already read that very
 * version, from the API's reply, and decided on it); returns the unsubscribe function of the subscription.
 */
export function wakeOnRelevantChange<T extends KubernetesObject>(
  watched: Watched<T>,
  fingerprint: (o: T) => string,
  wake: (o: T) => void,
  ownWrite: (o: T) => boolean = () => false,
): () => void {
  const seen = new Map<string, string>();
  return watched.onChange((o) => {
    const key = keyOf(o);
    if (watched.get(o.metadata?.name ?? '', o.metadata?.namespace) === undefined) {
      seen.delete(key);
      wake(o);
      return;
    }
    const print = fingerprint(o);
    if (seen.get(key) === print) return;
    seen.set(key, print);
    if (!ownWrite(o)) wake(o);
  });
}
