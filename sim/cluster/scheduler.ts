/**
 * The scheduler's decision: which node an unbound pod goes to. Filters out cordoned, NotReady and
 * untolerated nodes, then spreads: fewest pods of the same owner, then fewest pods overall, then by name.
 * Deterministic and pure.
 */
import type { V1Node, V1Pod, V1PodSpec } from '@kubernetes/client-node';
import { controllerUid, isNodeReady, isPodFinished, isTerminating, podFitsNode } from './placement.js';

export interface PlacementLoad {
  /** Non-terminated pods per node name. */
  total: Map<string, number>;
  /** Non-terminated pods per `${ownerUid}/${node}`. */
  byOwner: Map<string, number>;
}

export function emptyLoad(): PlacementLoad {
  return { total: new Map(), byOwner: new Map() };
}

/** Count the pods that occupy nodes (bound, not finished, not terminating). */
export function loadOf(pods: readonly V1Pod[]): PlacementLoad {
  const load = emptyLoad();
  for (const pod of pods) {
    const node = pod.spec?.nodeName;
    if (node && !isTerminating(pod) && !isPodFinished(pod)) addToLoad(load, node, controllerUid(pod));
  }
  return load;
}

export function addToLoad(load: PlacementLoad, node: string, ownerUid: string | undefined): void {
  load.total.set(node, (load.total.get(node) ?? 0) + 1);
  if (ownerUid) load.byOwner.set(`${ownerUid}/${node}`, (load.byOwner.get(`${ownerUid}/${node}`) ?? 0) + 1);
}

/** Nodes a regular (non-daemon) pod may be scheduled on. */
export function schedulableNodes(spec: V1PodSpec, nodes: readonly V1Node[]): V1Node[] {
  return nodes.filter((n) => !n.spec?.unschedulable && isNodeReady(n) && podFitsNode(spec, n));
}

/** The node to bind a pod to, or undefined when none fits. */
export function pickNode(
  spec: V1PodSpec,
  ownerUid: string | undefined,
  nodes: readonly V1Node[],
  load: PlacementLoad,
): string | undefined {
  const score = (name: string): [number, number] => [
    ownerUid ? (load.byOwner.get(`${ownerUid}/${name}`) ?? 0) : 0,
    load.total.get(name) ?? 0,
  ];
  const names = schedulableNodes(spec, nodes).map((n) => n.metadata?.name ?? '');
  names.sort((a, b) => {
    const [ownA, totA] = score(a);
    const [ownB, totB] = score(b);
    return ownA - ownB || totA - totB || a.localeCompare(b);
  });
  return names[0];
}
