/**
 * Where a pod may run: nodeSelector, taints against tolerations, readiness and cordons. Pure predicates
 * shared by the scheduler and the DaemonSet controller.
 */
import type { V1Node, V1Pod, V1PodSpec, V1Taint, V1Toleration } from '@kubernetes/client-node';

/** Taints the node lifecycle would put on a cordoned node; DaemonSet pods tolerate it. */
export const UNSCHEDULABLE_TAINT_KEY = 'node.kubernetes.io/unschedulable';

/** The tolerations the real DaemonSet controller adds to every daemon pod. */
export const DAEMON_POD_TOLERATIONS: V1Toleration[] = [
  { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: UNSCHEDULABLE_TAINT_KEY, operator: 'Exists', effect: 'NoSchedule' },
];

export function toleratesTaint(tolerations: readonly V1Toleration[], taint: V1Taint): boolean {
  return tolerations.some((t) => tolerationMatches(t, taint));
}

function tolerationMatches(t: V1Toleration, taint: V1Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.operator === 'Exists') return t.key === undefined || t.key === '' || t.key === taint.key;
  return t.key === taint.key && (t.value ?? '') === (taint.value ?? '');
}

/** Taints that keep a pod off the node (NoSchedule and NoExecute), counting a cordon as a taint. */
export function blockingTaints(node: V1Node): V1Taint[] {
  const taints = (node.spec?.taints ?? []).filter((t) => t.effect === 'NoSchedule' || t.effect === 'NoExecute');
  if (node.spec?.unschedulable) taints.push({ key: UNSCHEDULABLE_TAINT_KEY, effect: 'NoSchedule' });
  return taints;
}

export function matchesNodeSelector(spec: V1PodSpec, node: V1Node): boolean {
  const labels = node.metadata?.labels ?? {};
  return Object.entries(spec.nodeSelector ?? {}).every(([k, v]) => labels[k] === v);
}

export function isNodeReady(node: V1Node): boolean {
  return (node.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

/** Whether a pod with this spec tolerates every blocking taint of the node and matches its selector. */
export function podFitsNode(spec: V1PodSpec, node: V1Node): boolean {
  const tolerations = spec.tolerations ?? [];
  return matchesNodeSelector(spec, node) && blockingTaints(node).every((t) => toleratesTaint(tolerations, t));
}

export const isTerminating = (pod: V1Pod): boolean => pod.metadata?.deletionTimestamp !== undefined;

export const isPodReady = (pod: V1Pod): boolean =>
  (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');

export const isPodFinished = (pod: V1Pod): boolean =>
  pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';

/** The uid of the pod's controlling owner, if any. */
export const controllerUid = (pod: V1Pod): string | undefined =>
  pod.metadata?.ownerReferences?.find((r) => r.controller === true)?.uid;
