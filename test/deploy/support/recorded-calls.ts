/**
 * The API calls the tool's two ServiceAccounts make, as the simulated API server recorded them (with RBAC's
 * verdict), in the shape the RBAC checker reads.
 */
import type { ApiCallRecord } from '../../../sim/apiserver/index.js';
import type { ApiCall } from './rbac-check.js';

export const serviceAccountUser = (namespace: string, name: string): string => `system:serviceaccount:${namespace}:${name}`;

export const callOf = (r: ApiCallRecord): ApiCall => ({
  apiGroup: r.group,
  resource: r.subresource ? `${r.resource}/${r.subresource}` : r.resource,
  verb: r.verb,
  namespace: r.namespace,
  resourceName: r.name,
});

/** What each caller did over the runs: its calls, and those RBAC refused. */
export interface Recorded {
  calls: ApiCall[];
  refused: ApiCall[];
}

export function recordedBy(records: readonly ApiCallRecord[], user: string): Recorded {
  const mine = records.filter((c) => c.caller === user);
  return { calls: mine.map(callOf), refused: mine.filter((c) => !c.allowed).map(callOf) };
}
