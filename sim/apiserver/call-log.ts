/**
 * The API call log: every distinct call each caller made, as the authorizer saw it (verb, group, resource,
 * subresource, namespace, name) and whether RBAC allowed it. It lets a test hold the shipped RBAC against the
 * calls the code really makes.
 */
import type { Attributes } from './rbac.js';

export interface ApiCallRecord extends Attributes {
  caller: string;
  allowed: boolean;
  count: number;
}

const keyOf = (caller: string, a: Attributes, allowed: boolean): string =>
  [caller, a.verb, a.group, a.resource, a.subresource ?? '', a.namespace ?? '', a.name ?? '', String(allowed)].join('\u0000');

export class ApiCallLog {
  private readonly calls = new Map<string, ApiCallRecord>();

  record(caller: string, a: Attributes, allowed: boolean): void {
    const key = keyOf(caller, a, allowed);
    const existing = this.calls.get(key);
    if (existing) existing.count += 1;
    else this.calls.set(key, { ...a, caller, allowed, count: 1 });
  }

  snapshot(): ApiCallRecord[] {
    return [...this.calls.values()].map((c) => ({ ...c }));
  }

  reset(): void {
    this.calls.clear();
  }
}
