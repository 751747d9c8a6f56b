/**
 * PodDisruptionBudget status as the disruption controller computes it (pure): expected pods, desired and
 * current healthy, disruptions allowed, the DisruptionAllowed condition, and pruning of `disruptedPods`.
 */
import { arrAt, isObj, metaOf, nameOf, objAt, strAt, type Obj } from './json.js';

/** How long an eviction keeps a pod out of the healthy count before the controller gives up on it. */
export const DISRUPTED_POD_TIMEOUT_MS = 2 * 60 * 1000;

export function isPodReady(pod: Obj): boolean {
  const conditions = arrAt(objAt(pod, 'status'), 'conditions');
  return conditions.some((c) => isObj(c) && c['type'] === 'Ready' && c['status'] === 'True');
}

export const isPodHealthy = (pod: Obj): boolean => isPodReady(pod) && metaOf(pod)['deletionTimestamp'] === undefined;

const intOrPercent = (v: unknown): number | string | undefined => (typeof v === 'number' || typeof v === 'string' ? v : undefined);

function percentOf(v: string): number | undefined {
  const m = /^(\d+)%$/.exec(v);
  return m ? Number(m[1]) : undefined;
}

const scaled = (v: number | string, total: number): number =>
  typeof v === 'number' ? v : Math.ceil(((percentOf(v) ?? 0) * total) / 100);

export interface Budget {
  expectedPods: number;
  desiredHealthy: number;
}

/** `controllerScale`: summed replicas of the pods' controllers (used for percentages and maxUnavailable). */
export function budgetOf(spec: Obj, podCount: number, controllerScale: number | undefined): Budget {
  const minAvailable = intOrPercent(spec['minAvailable']);
  const maxUnavailable = intOrPercent(spec['maxUnavailable']);
  if (typeof minAvailable === 'number') return { expectedPods: podCount, desiredHealthy: minAvailable };
  const expected = controllerScale ?? podCount;
  if (typeof minAvailable === 'string') return { expectedPods: expected, desiredHealthy: scaled(minAvailable, expected) };
  if (maxUnavailable !== undefined) return { expectedPods: expected, desiredHealthy: Math.max(0, expected - scaled(maxUnavailable, expected)) };
  return { expectedPods: podCount, desiredHealthy: podCount };
}

/** `disruptedPods` entries still in effect: the pod exists, is not terminating, and the entry is recent. */
export function liveDisruptions(disrupted: Obj, pods: Obj[], now: Date): Obj {
  const byName = new Map(pods.map((p) => [nameOf(p), p]));
  const out: Obj = {};
  for (const [name, at] of Object.entries(disrupted)) {
    const pod = byName.get(name);
    const age = now.getTime() - Date.parse(String(at));
    if (pod && metaOf(pod)['deletionTimestamp'] === undefined && age < DISRUPTED_POD_TIMEOUT_MS) out[name] = at;
  }
  return out;
}

function disruptionCondition(previous: Obj, allowed: boolean, generation: unknown, at: string): Obj {
  const status = allowed ? 'True' : 'False';
  const old = arrAt(previous, 'conditions').find((c) => isObj(c) && c['type'] === 'DisruptionAllowed');
  const since = isObj(old) && old['status'] === status ? old['lastTransitionTime'] : at;
  return { type: 'DisruptionAllowed', status, observedGeneration: generation, lastTransitionTime: since, reason: allowed ? 'SufficientPods' : 'InsufficientPods', message: '' };
}

export interface PdbInputs {
  pdb: Obj;
  /** Pods in the PDB's namespace that its selector matches. */
  pods: Obj[];
  controllerScale: number | undefined;
  now: Date;
  /** `2026-11-26T16:05:30Z` form of `now`. */
  nowStamp: string;
}

export function computePdbStatus(i: PdbInputs): Obj {
  const previous = objAt(i.pdb, 'status');
  const disrupted = liveDisruptions(objAt(previous, 'disruptedPods'), i.pods, i.now);
  const budget = budgetOf(objAt(i.pdb, 'spec'), i.pods.length, i.controllerScale);
  const currentHealthy = i.pods.filter((p) => isPodHealthy(p) && disrupted[nameOf(p)] === undefined).length;
  const disruptionsAllowed = Math.max(0, currentHealthy - budget.desiredHealthy);
  const generation = metaOf(i.pdb)['generation'] ?? 1;
  const status: Obj = { observedGeneration: generation };
  if (Object.keys(disrupted).length > 0) status['disruptedPods'] = disrupted;
  Object.assign(status, { disruptionsAllowed, currentHealthy, desiredHealthy: budget.desiredHealthy, expectedPods: budget.expectedPods });
  status['conditions'] = [disruptionCondition(previous, disruptionsAllowed > 0, generation, i.nowStamp)];
  return status;
}

/** The controller of a pod (ownerReference with `controller: true`), as `kind/name`. */
export function controllerOf(pod: Obj): { kind: string; name: string } | undefined {
  const ref = arrAt(metaOf(pod), 'ownerReferences').find((r) => isObj(r) && r['controller'] === true);
  if (!isObj(ref)) return undefined;
  return { kind: strAt(ref, 'kind') ?? '', name: strAt(ref, 'name') ?? '' };
}
