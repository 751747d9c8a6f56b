/**
 * The DaemonSet controller's decision for one node, as a pure function of whether the node should run a daemon
 * pod and the pods the DaemonSet has there: create one, remove extras or misscheduled ones, and what the node adds
 * to the status counts and to a rolling update. `daemonset-tally.ts` sums these per node.
 */
import type { V1DaemonSet, V1Pod } from '@kubernetes/client-node';
import { isPodFinished, isPodReady, isTerminating } from './placement.js';
import { stableHash } from './rand.js';

export const REVISION_HASH_LABEL = 'controller-revision-hash';
export const TEMPLATE_GENERATION_LABEL = 'pod-template-generation';

const hashes = new WeakMap<object, string>();

/**
 * The hash that marks pods built from the current template; computed once per template object (the informer hands
 * out a new object when the DaemonSet changes, and every reconcile hashed it again).
 */
export function templateHash(ds: V1DaemonSet): string {
  const template = ds.spec?.template;
  if (!template) return stableHash({});
  let hash = hashes.get(template);
  if (hash === undefined) {
    hash = stableHash(template);
    hashes.set(template, hash);
  }
  return hash;
}

/** What marks a pod as built from the current template. */
export interface Revision {
  hash: string;
  generation: string;
}

export const revisionOf = (ds: V1DaemonSet): Revision => ({ hash: templateHash(ds), generation: String(ds.metadata?.generation ?? 1) });

/** A node's daemon pods that are not finished: the ones still running, and how many are terminating. */
export interface NodeSlot {
  active: V1Pod[];
  terminating: number;
}

/** The slot of one node's pods (in the order the controller first saw them), or undefined when none counts. */
export function slotOf(pods: readonly V1Pod[]): NodeSlot | undefined {
  let slot: NodeSlot | undefined;
  for (const pod of pods) {
    if (isPodFinished(pod)) continue;
    slot ??= { active: [], terminating: 0 };
    if (isTerminating(pod)) slot.terminating++;
    else slot.active.push(pod);
  }
  return slot;
}

/** Readiness per Pod object (a pod is asked again whenever its node is looked at). */
const readiness = new WeakMap<V1Pod, boolean>();

export function ready(pod: V1Pod): boolean {
  let r = readiness.get(pod);
  if (r === undefined) {
    r = isPodReady(pod);
    readiness.set(pod, r);
  }
  return r;
}

export const podName = (pod: V1Pod): string => pod.metadata?.name ?? '';

/** Built from the current template: same template hash (or, as the real controller also accepts, same generation). */
const isUpdated = (pod: V1Pod, rev: Revision): boolean =>
  pod.metadata?.labels?.[REVISION_HASH_LABEL] === rev.hash || pod.metadata?.labels?.[TEMPLATE_GENERATION_LABEL] === rev.generation;

/** All but one pod on a node: keep an updated one if any, else the first by name. */
function extraPods(active: readonly V1Pod[], rev: Revision): string[] {
  if (active.length <= 1) return [];
  const sorted = [...active].sort((a, b) => Number(isUpdated(b, rev)) - Number(isUpdated(a, rev)) || podName(a).localeCompare(podName(b)));
  return sorted.slice(1).map(podName);
}

/** A running pod built from an older template: a rolling update replaces it (an unready one without using the budget). */
export interface OutdatedPod {
  pod: string;
  ready: boolean;
}

/** What one node contributes to the DaemonSet's plan and status. */
export interface NodeVerdict {
  eligible: boolean;
  /** The node should run a daemon pod and runs none, not even a terminating one. */
  create: boolean;
  /** Extra pods on an eligible node, or every running pod on a node that is not. */
  remove: string[];
  /** Counted only on an eligible node, from its first running pod. */
  scheduled: boolean;
  ready: boolean;
  updated: boolean;
  /** An eligible node's daemon is available: nothing terminating and a ready pod running. */
  available: boolean;
  /** A node that is not eligible runs a daemon pod. */
  misscheduled: boolean;
  outdated: OutdatedPod | undefined;
}

/** The node's single running pod when it was built from an older template. */
function outdatedPod(slot: NodeSlot | undefined, rev: Revision): OutdatedPod | undefined {
  const pod = slot?.active[0];
  return pod && slot.terminating === 0 && !isUpdated(pod, rev) ? { pod: podName(pod), ready: ready(pod) } : undefined;
}

const NOTHING: NodeVerdict = {
  eligible: false,
  create: false,
  remove: [],
  scheduled: false,
  ready: false,
  updated: false,
  available: false,
  misscheduled: false,
  outdated: undefined,
};

/** The verdict for a node; undefined when the node neither should run a daemon pod nor runs one. */
export function nodeVerdict(eligible: boolean, slot: NodeSlot | undefined, rev: Revision): NodeVerdict | undefined {
  if (eligible) return slot ? eligibleVerdict(slot, rev) : { ...NOTHING, eligible: true, create: true };
  return slot ? { ...NOTHING, remove: slot.active.map(podName), misscheduled: slot.active.length > 0 } : undefined;
}

function eligibleVerdict(slot: NodeSlot, rev: Revision): NodeVerdict {
  const first = slot.active[0];
  return {
    eligible: true,
    create: slot.active.length === 0 && slot.terminating === 0,
    remove: extraPods(slot.active, rev),
    scheduled: first !== undefined,
    ready: first !== undefined && ready(first),
    updated: first !== undefined && isUpdated(first, rev),
    available: slot.terminating === 0 && slot.active.some(ready),
    misscheduled: false,
    outdated: outdatedPod(slot, rev),
  };
}
