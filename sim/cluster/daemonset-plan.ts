/**
 * The DaemonSet controller's decision, as a pure function: which nodes need a daemon pod, which pods must
 * go (extra, misscheduled, or replaced by a rolling update within maxUnavailable), and the status to report.
 * It is the whole-cluster pass of `DaemonSetTally`, which the controller keeps up to date node by node.
 */
import type { V1DaemonSet, V1Node, V1Pod } from '@kubernetes/client-node';
import { DaemonSetTally, type DaemonSetPlan } from './daemonset-tally.js';

export { REVISION_HASH_LABEL, TEMPLATE_GENERATION_LABEL, templateHash } from './daemonset-node.js';
export { maxUnavailable, type DaemonSetPlan } from './daemonset-tally.js';

/** The DaemonSet's pods by the node they are bound to (unbound pods count nowhere), in the order given. */
export function podsByNode(pods: readonly V1Pod[]): Map<string, V1Pod[]> {
  const byNode = new Map<string, V1Pod[]>();
  for (const pod of pods) {
    const node = pod.spec?.nodeName;
    if (!node) continue;
    const onNode = byNode.get(node);
    if (onNode) onNode.push(pod);
    else byNode.set(node, [pod]);
  }
  return byNode;
}

/** The plan for one DaemonSet given all nodes and the pods it controls. */
export function planDaemonSet(ds: V1DaemonSet, nodes: readonly V1Node[], ownedPods: readonly V1Pod[]): DaemonSetPlan {
  const byNode = podsByNode(ownedPods);
  return new DaemonSetTally(ds, nodes, byNode.keys()).plan(ds, (node) => byNode.get(node) ?? []);
}
