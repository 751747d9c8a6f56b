/**
 * The cluster-level gates the engine reads before any new node may start: each one that is closed holds
 * every grant, with its reason (a pre-flight blocker, the Cilium DaemonSet not rolled out everywhere). Add a
 * gate here and the core's rollout decision holds on it.
 */
import { CILIUM_DAEMONSET, CILIUM_NAMESPACE } from '../../shared/names.js';
import { ciliumRolloutProblem, type CiliumRestarts } from '../core/cilium-readiness.js';
import type { Gate } from '../core/rollout.js';
import type { Cluster } from './cluster.js';

export const CILIUM_GATE = 'waiting for Cilium';

/** The closed gates, pre-flight's first (when it holds), then Cilium's readiness (but for the pods the rollout is restarting). */
export function closedGates(cluster: Cluster, preflight: Gate | undefined, restarts?: CiliumRestarts): Gate[] {
  const cilium = ciliumRolloutProblem(cluster.ciliumDaemonSet.get(CILIUM_DAEMONSET, CILIUM_NAMESPACE), restarts);
  return [...(preflight ? [preflight] : []), ...(cilium ? [{ name: CILIUM_GATE, reason: cilium }] : [])];
}
