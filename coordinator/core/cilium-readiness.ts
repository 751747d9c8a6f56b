/**
 * Whether the Cilium DaemonSet is healthy enough to start another node: observed, fully updated and
 * every pod Ready. A new node is granted only then (a node whose Cilium pod is being replaced counts).
 */
import type { V1DaemonSet } from '@kubernetes/client-node';
import { CILIUM_DAEMONSET, CILIUM_NAMESPACE } from '../../shared/names.js';

const NAME = `DaemonSet ${CILIUM_NAMESPACE}/${CILIUM_DAEMONSET}`;

function podsProblem(s: NonNullable<V1DaemonSet['status']>): string | undefined {
  const desired = s.desiredNumberScheduled;
  const updated = s.updatedNumberScheduled ?? 0;
  if (updated < desired) return `${NAME}: ${updated} of ${desired} pods updated`;
  if (s.numberReady < desired) return `${NAME}: ${s.numberReady} of ${desired} pods Ready`;
  return undefined;
}

/** Why a new node must not start yet, or undefined when Cilium is rolled out everywhere. */
export function ciliumRolloutProblem(ds: V1DaemonSet | undefined): string | undefined {
  if (!ds) return `${NAME} not found: install Cilium in migration mode first`;
  if (!ds.status) return `${NAME} has no status yet`;
  if ((ds.status.observedGeneration ?? 0) < (ds.metadata?.generation ?? 0)) return `${NAME}: change not yet observed`;
  return podsProblem(ds.status);
}
