/**
 * The cluster-level gates the engine reads before any new node may start: each one that is closed holds
 * every grant, with its reason (the Cilium DaemonSet not rolled out everywhere). Add a gate here and the
 * core's rollout decision holds on it.
 */
import { CILIUM_DAEMONSET, CILIUM_NAMESPACE } from '../../shared/names.js';
import { ciliumRolloutProblem } from '../core/cilium-readiness.js';
import type { Gate } from '../core/rollout.js';
import type { Cluster } from './cluster.js';

export const CILIUM_GATE = 'waiting for Cilium';

export function closedGates(cluster: Cluster): Gate[] {
  const cilium = ciliumRolloutProblem(cluster.ciliumDaemonSet.get(CILIUM_DAEMONSET, CILIUM_NAMESPACE));
  return cilium ? [{ name: CILIUM_GATE, reason: cilium }] : [];
}
