/**
 * Request accounting: how many requests each caller made, by verb, resource and subresource.
 */
export interface RequestCount {
  verb: string;
  resource: string;
  subresource?: string;
  caller: string;
  count: number;
}

export class RequestAccounting {
  private readonly counts = new Map<string, RequestCount>();

  record(verb: string, resource: string, subresource: string | undefined, caller: string): void {
    const key = `${verb}\u0000${resource}\u0000${subresource ?? ''}\u0000${caller}`;
    const existing = this.counts.get(key);
    if (existing) {
      existing.count += 1;
      return;
    }
    const entry: RequestCount = { verb, resource, caller, count: 1 };
    if (subresource !== undefined) entry.subresource = subresource;
    this.counts.set(key, entry);
  }

  snapshot(): RequestCount[] {
    return [...this.counts.values()].map((c) => ({ ...c }));
  }

  reset(): void {
    this.counts.clear();
  }
}
