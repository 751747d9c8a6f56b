/**
 * The ReplicaSet controller's decision, as a pure function: how many replica pods to create, which to
 * delete, and the status to report. Terminating and finished pods do not count as replicas.
 */
import type { V1Pod, V1ReplicaSet, V1ReplicaSetStatus } from '@kubernetes/client-node';
import { isPodFinished, isPodReady, isTerminating } from './placement.js';

export interface ReplicaSetPlan {
  create: number;
  deletePods: string[];
  status: V1ReplicaSetStatus;
}

const podName = (pod: V1Pod): string => pod.metadata?.name ?? '';

/** Deletion preference: unbound first, then not ready, then the newest name last-in-first-out. */
function deletionOrder(a: V1Pod, b: V1Pod): number {
  const unbound = Number(!b.spec?.nodeName) - Number(!a.spec?.nodeName);
  const unready = Number(!isPodReady(b)) - Number(!isPodReady(a));
  return unbound || unready || podName(b).localeCompare(podName(a));
}

export function planReplicaSet(rs: V1ReplicaSet, ownedPods: readonly V1Pod[]): ReplicaSetPlan {
  const desired = rs.spec?.replicas ?? 1;
  const active = ownedPods.filter((p) => !isTerminating(p) && !isPodFinished(p));
  const surplus = active.length - desired;
  const deletePods = surplus > 0 ? [...active].sort(deletionOrder).slice(0, surplus).map(podName) : [];
  const ready = active.filter(isPodReady).length;
  const status: V1ReplicaSetStatus = {
    replicas: active.length,
    fullyLabeledReplicas: active.length,
    observedGeneration: rs.metadata?.generation ?? 1,
  };
  if (ready > 0) {
    status.readyReplicas = ready;
    status.availableReplicas = ready;
  }
  return { create: Math.max(0, -surplus), deletePods, status };
}
