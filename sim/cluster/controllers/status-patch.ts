/**
 * The merge patch that brings a status to what a controller computed, or undefined when nothing changes.
 * Fields the controller omits (zero counts) are sent as null so a merge patch removes them.
 */
export type StatusFields = Record<string, unknown>;

export function statusPatch<T extends object>(current: T | undefined, desired: T, keys: readonly (keyof T & string)[]): { status: StatusFields } | undefined {
  const patch: StatusFields = {};
  let changed = false;
  for (const k of keys) {
    const want = desired[k];
    const have = current?.[k];
    if (JSON.stringify(want) === JSON.stringify(have)) continue;
    patch[k] = want ?? null;
    changed = true;
  }
  return changed ? { status: patch } : undefined;
}

export const DAEMONSET_STATUS_KEYS = [
  'currentNumberScheduled',
  'numberMisscheduled',
  'desiredNumberScheduled',
  'numberReady',
  'observedGeneration',
  'updatedNumberScheduled',
  'numberAvailable',
  'numberUnavailable',
] as const satisfies readonly string[];

export const REPLICASET_STATUS_KEYS = ['replicas', 'fullyLabeledReplicas', 'readyReplicas', 'availableReplicas', 'observedGeneration'] as const satisfies readonly string[];

export const DEPLOYMENT_STATUS_KEYS = ['observedGeneration', 'replicas', 'updatedReplicas', 'readyReplicas', 'availableReplicas', 'unavailableReplicas'] as const satisfies readonly string[];
