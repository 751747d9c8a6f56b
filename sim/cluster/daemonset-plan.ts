/**
 * The DaemonSet controller's decision, as a pure function: which nodes need a daemon pod, which pods must
 * go (extra, misscheduled, or replaced by a rolling update within maxUnavailable), and the status to report.
 */
import type { V1DaemonSet, V1DaemonSetStatus, V1Node, V1Pod, V1PodSpec } from '@kubernetes/client-node';
import { isPodFinished, isPodReady, isTerminating, podFitsNode } from './placement.js';
import { stableHash } from './rand.js';

export const REVISION_HASH_LABEL = 'controller-revision-hash';
export const TEMPLATE_GENERATION_LABEL = 'pod-template-generation';

export interface DaemonSetPlan {
  /** Nodes that get a new daemon pod. */
  createOn: string[];
  /** Names of pods to delete (gracefully). */
  deletePods: string[];
  status: V1DaemonSetStatus;
}

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
interface Revision {
  hash: string;
  generation: string;
}

const revisionOf = (ds: V1DaemonSet): Revision => ({ hash: templateHash(ds), generation: String(ds.metadata?.generation ?? 1) });

interface NodeSlot {
  active: V1Pod[];
  terminating: number;
}

/**
 * Which nodes the template fits, memoized per template and Node object: the informer hands out a new object
 * only when a Node changes, and every reconcile (once per daemon pod event) asked again for every node.
 */
const fits = new WeakMap<V1PodSpec, WeakMap<V1Node, boolean>>();

function fitsNode(template: V1PodSpec, node: V1Node): boolean {
  let byNode = fits.get(template);
  if (!byNode) {
    byNode = new WeakMap();
    fits.set(template, byNode);
  }
  let fit = byNode.get(node);
  if (fit === undefined) {
    fit = podFitsNode(template, node);
    byNode.set(node, fit);
  }
  return fit;
}

/** Readiness per Pod object, for the same reason (a reconcile reads every owned pod's conditions). */
const readiness = new WeakMap<V1Pod, boolean>();

function ready(pod: V1Pod): boolean {
  let r = readiness.get(pod);
  if (r === undefined) {
    r = isPodReady(pod);
    readiness.set(pod, r);
  }
  return r;
}

/** The plan for one DaemonSet given all nodes and the pods it controls. */
export function planDaemonSet(ds: V1DaemonSet, nodes: readonly V1Node[], ownedPods: readonly V1Pod[]): DaemonSetPlan {
  const rev = revisionOf(ds);
  const eligible = eligibleNodes(ds.spec?.template.spec ?? { containers: [] }, nodes);
  const slots = slotsByNode(ownedPods);
  const { createOn, deletePods } = placement(eligible, slots, rev);
  deletePods.push(...rollingUpdateVictims(ds, eligible, slots, rev));
  return { createOn: createOn.sort(), deletePods: [...new Set(deletePods)], status: daemonSetStatus(ds, eligible, slots, rev) };
}

function eligibleNodes(template: V1PodSpec, nodes: readonly V1Node[]): Set<string> {
  const eligible = new Set<string>();
  for (const n of nodes) if (fitsNode(template, n)) eligible.add(n.metadata?.name ?? '');
  return eligible;
}

/** A pod for every eligible node without one; extra pods, and pods on nodes no longer eligible, go. */
function placement(eligible: ReadonlySet<string>, slots: Map<string, NodeSlot>, rev: Revision): { createOn: string[]; deletePods: string[] } {
  const createOn: string[] = [];
  const deletePods: string[] = [];
  for (const name of eligible) {
    const slot = slots.get(name);
    if (!slot || (slot.active.length === 0 && slot.terminating === 0)) createOn.push(name);
    else if (slot.active.length > 1) deletePods.push(...extraPods(slot.active, rev));
  }
  for (const [name, slot] of slots) if (!eligible.has(name)) deletePods.push(...slot.active.map(podName));
  return { createOn, deletePods };
}

function slotsByNode(pods: readonly V1Pod[]): Map<string, NodeSlot> {
  const slots = new Map<string, NodeSlot>();
  for (const pod of pods) {
    const node = pod.spec?.nodeName;
    if (!node || isPodFinished(pod)) continue;
    let slot = slots.get(node);
    if (!slot) {
      slot = { active: [], terminating: 0 };
      slots.set(node, slot);
    }
    if (isTerminating(pod)) slot.terminating++;
    else slot.active.push(pod);
  }
  return slots;
}

const podName = (pod: V1Pod): string => pod.metadata?.name ?? '';
/** Built from the current template: same template hash (or, as the real controller also accepts, same generation). */
const isUpdated = (pod: V1Pod, rev: Revision): boolean =>
  pod.metadata?.labels?.[REVISION_HASH_LABEL] === rev.hash || pod.metadata?.labels?.[TEMPLATE_GENERATION_LABEL] === rev.generation;

/** All but one pod on a node: keep an updated one if any, else the first by name. */
function extraPods(active: readonly V1Pod[], rev: Revision): string[] {
  if (active.length <= 1) return [];
  const sorted = [...active].sort((a, b) => Number(isUpdated(b, rev)) - Number(isUpdated(a, rev)) || podName(a).localeCompare(podName(b)));
  return sorted.slice(1).map(podName);
}

/** How many daemon pods may be unavailable at once during a rolling update. */
export function maxUnavailable(ds: V1DaemonSet, desired: number): number {
  const raw = ds.spec?.updateStrategy?.rollingUpdate?.maxUnavailable ?? 1;
  const value = typeof raw === 'number' ? raw : Math.ceil((desired * parseInt(raw, 10)) / 100);
  return Math.max(1, Number.isFinite(value) ? value : 1);
}

/** Old pods to replace now: unready old pods always, ready old pods while the unavailability budget lasts. */
function rollingUpdateVictims(ds: V1DaemonSet, eligible: ReadonlySet<string>, slots: Map<string, NodeSlot>, rev: Revision): string[] {
  if (ds.spec?.updateStrategy?.type === 'OnDelete') return [];
  // Nothing built from an older template (every reconcile but a rollout's): no budget to count, no order to sort.
  if (!anyOutdated(eligible, slots, rev)) return [];
  const unavailable = [...eligible].filter((n) => !slotAvailable(slots.get(n))).length;
  let budget = maxUnavailable(ds, eligible.size) - unavailable;
  const victims: string[] = [];
  for (const node of [...eligible].sort()) {
    const pod = outdatedPod(slots.get(node), rev);
    if (!pod) continue;
    if (!ready(pod)) victims.push(podName(pod));
    else if (budget > 0) {
      victims.push(podName(pod));
      budget--;
    }
  }
  return victims;
}

function anyOutdated(eligible: ReadonlySet<string>, slots: Map<string, NodeSlot>, rev: Revision): boolean {
  for (const node of eligible) if (outdatedPod(slots.get(node), rev) !== undefined) return true;
  return false;
}

/** The node's single running pod when it was built from an older template. */
function outdatedPod(slot: NodeSlot | undefined, rev: Revision): V1Pod | undefined {
  const pod = slot?.active[0];
  return pod && slot.terminating === 0 && !isUpdated(pod, rev) ? pod : undefined;
}

const slotAvailable = (slot: NodeSlot | undefined): boolean =>
  slot !== undefined && slot.terminating === 0 && slot.active.some(ready);

interface PodCounts {
  scheduled: number;
  ready: number;
  updated: number;
  misscheduled: number;
}

/** One pass over the eligible nodes' pods (each node's first active pod counts) and the other nodes' slots. */
function countPods(eligible: ReadonlySet<string>, slots: Map<string, NodeSlot>, rev: Revision): PodCounts {
  const counts: PodCounts = { scheduled: 0, ready: 0, updated: 0, misscheduled: 0 };
  for (const n of eligible) {
    const pod = slots.get(n)?.active[0];
    if (pod === undefined) continue;
    counts.scheduled++;
    if (ready(pod)) counts.ready++;
    if (isUpdated(pod, rev)) counts.updated++;
  }
  for (const [n, s] of slots) if (!eligible.has(n) && s.active.length > 0) counts.misscheduled++;
  return counts;
}

/** Status as the real controller writes it: zero updated/available/unavailable counts are omitted. */
function daemonSetStatus(ds: V1DaemonSet, eligible: ReadonlySet<string>, slots: Map<string, NodeSlot>, rev: Revision): V1DaemonSetStatus {
  const counts = countPods(eligible, slots, rev);
  const status: V1DaemonSetStatus = {
    currentNumberScheduled: counts.scheduled,
    numberMisscheduled: counts.misscheduled,
    desiredNumberScheduled: eligible.size,
    numberReady: counts.ready,
    observedGeneration: ds.metadata?.generation ?? 1,
  };
  if (counts.updated > 0) status.updatedNumberScheduled = counts.updated;
  if (counts.ready > 0) status.numberAvailable = counts.ready;
  if (eligible.size - counts.ready > 0) status.numberUnavailable = eligible.size - counts.ready;
  return status;
}
