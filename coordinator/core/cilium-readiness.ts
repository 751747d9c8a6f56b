/**
 * Whether the Cilium DaemonSet is healthy enough to start another node: observed, fully updated and
 * every pod Ready, but for the pods the rollout itself is replacing. A node in flight whose Cilium pod the
 * rollout restarted (restarting Cilium, rebooting, waiting for Ready) is expected to have no pod, or one not
 * Ready yet, and its own step halts it if that lasts; any other node's pod not updated or not Ready holds every
 * new node. Counting those nodes too held every grant whenever any of the k nodes in flight was between its
 * Cilium restart and Ready, which is most of the time: the nodes went in bursts, long after slots were free.
 */
import type { V1DaemonSet } from '@kubernetes/client-node';
import { CILIUM_DAEMONSET, CILIUM_NAMESPACE } from '../../shared/names.js';
import type { Phase } from '../../shared/phases.js';
import type { CiliumPodObservation } from './decision.js';
import type { NodeState } from './node-state.js';

const NAME = `DaemonSet ${CILIUM_NAMESPACE}/${CILIUM_DAEMONSET}`;

/** The Cilium pods the rollout is replacing, as the pod watch shows them now. */
export interface CiliumRestarts {
  /** Nodes restarting Cilium with no pod (neither updated nor Ready in the DaemonSet's counts). */
  missing: number;
  /** Nodes restarting Cilium whose pod is not Ready yet. */
  notReady: number;
}

const NO_RESTARTS: CiliumRestarts = { missing: 0, notReady: 0 };

/** The phases from the Cilium pod's deletion until the node's step has seen it Ready again. */
const RESTARTING: ReadonlySet<Phase> = new Set<Phase>([
  'RestartingCilium',
  'Rebooting',
  'WaitingReady',
  'RollbackRestartingCilium',
  'RollbackRebooting',
  'RollbackWaitingReady',
]);

/** Of the nodes in flight, those restarting Cilium whose pod is missing or not Ready. */
export function ciliumRestarts(inFlight: Iterable<NodeState>, podOf: (node: string) => CiliumPodObservation | undefined): CiliumRestarts {
  let missing = 0;
  let notReady = 0;
  for (const s of inFlight) {
    if (!RESTARTING.has(s.phase)) continue;
    const pod = podOf(s.name);
    if (pod === undefined) missing += 1;
    else if (!pod.ready) notReady += 1;
  }
  return { missing, notReady };
}

const ours = (n: number): string => (n > 0 ? `, ${n} more on nodes restarting Cilium` : '');

function podsProblem(s: NonNullable<V1DaemonSet['status']>, r: CiliumRestarts): string | undefined {
  const desired = s.desiredNumberScheduled;
  const updated = s.updatedNumberScheduled ?? 0;
  if (updated + r.missing < desired) return `${NAME}: ${updated} of ${desired} pods updated${ours(r.missing)}`;
  const restarting = r.missing + r.notReady;
  if (s.numberReady + restarting < desired) return `${NAME}: ${s.numberReady} of ${desired} pods Ready${ours(restarting)}`;
  return undefined;
}

/** Why a new node must not start yet, or undefined when Cilium is rolled out everywhere (but where the rollout restarts it). */
export function ciliumRolloutProblem(ds: V1DaemonSet | undefined, restarts: CiliumRestarts = NO_RESTARTS): string | undefined {
  if (!ds) return `${NAME} not found: install Cilium in migration mode first`;
  if (!ds.status) return `${NAME} has no status yet`;
  if ((ds.status.observedGeneration ?? 0) < (ds.metadata?.generation ?? 0)) return `${NAME}: change not yet observed`;
  return podsProblem(ds.status, restarts);
}
