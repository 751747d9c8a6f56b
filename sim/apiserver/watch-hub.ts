/**
 * The watch cache: a bounded history of events per storage table and the live subscribers. A watch from a
 * resourceVersion replays the history after it; one older than the window is `Expired` (410).
 */
import { valueAtPath, type Obj } from './json.js';
import type { StoredEvent } from './store.js';

export interface Subscriber {
  deliver(ev: StoredEvent): void;
}

class History {
  private readonly ring: (StoredEvent | undefined)[];
  private start = 0;
  private size = 0;
  /** Events at or below this RV are no longer available. */
  floor: number;

  constructor(capacity: number, floor: number) {
    this.ring = new Array<StoredEvent | undefined>(Math.max(1, capacity));
    this.floor = floor;
  }

  push(ev: StoredEvent): void {
    const cap = this.ring.length;
    if (this.size === cap) {
      const evicted = this.ring[this.start];
      if (evicted) this.floor = evicted.rv;
      this.ring[this.start] = ev;
      this.start = (this.start + 1) % cap;
      return;
    }
    this.ring[(this.start + this.size) % cap] = ev;
    this.size += 1;
  }

  after(rv: number): StoredEvent[] {
    const out: StoredEvent[] = [];
    for (let i = 0; i < this.size; i++) {
      const ev = this.ring[(this.start + i) % this.ring.length];
      if (ev && ev.rv > rv) out.push(ev);
    }
    return out;
  }
}

/**
 * What a routed watcher pins, as the real watch cache indexes its watchers: every watcher of one object by
 * `metadata.name`, pod watchers by `spec.nodeName`. An event then reaches only the watchers whose value the
 * object has (or had before this write), not every watcher of the table.
 */
export interface WatchRoute {
  field: RouteField;
  value: string;
}

const ROUTE_PATHS = { 'metadata.name': ['metadata', 'name'], 'spec.nodeName': ['spec', 'nodeName'] } as const;
export type RouteField = keyof typeof ROUTE_PATHS;

/** The fields `storage`'s watchers may be routed by, most selective first. */
export const routeFields = (storage: string): RouteField[] => (storage === '/pods' ? ['metadata.name', 'spec.nodeName'] : ['metadata.name']);

function routeValueOf(field: RouteField, o: Obj | undefined): string | undefined {
  if (!o) return undefined;
  const v = valueAtPath(o, [...ROUTE_PATHS[field]]);
  return typeof v === 'string' ? v : '';
}

type Routes = Map<RouteField, Map<string, Set<Subscriber>>>;

/** To the watchers routed by the object's value now, and by its value before if that differs. */
function deliverRouted(routes: Routes, ev: StoredEvent): void {
  for (const [field, byValue] of routes) {
    const now = routeValueOf(field, ev.object);
    const before = routeValueOf(field, ev.previous);
    if (now !== undefined) for (const s of byValue.get(now) ?? []) s.deliver(ev);
    if (before !== undefined && before !== now) for (const s of byValue.get(before) ?? []) s.deliver(ev);
  }
}

export class WatchHub {
  private readonly histories = new Map<string, History>();
  private readonly subscribers = new Map<string, Set<Subscriber>>();
  /** storage -> routed field -> value -> watchers that only care about objects with that value (old or new). */
  private readonly routed = new Map<string, Routes>();

  /** `floorRv`: the RV the server started at; older watches are expired. */
  constructor(
    private readonly capacity: number,
    private readonly floorRv: number,
  ) {}

  record(storage: string, ev: StoredEvent): void {
    this.history(storage).push(ev);
    for (const s of this.subscribers.get(storage) ?? []) s.deliver(ev);
    const routes = this.routed.get(storage);
    if (routes) deliverRouted(routes, ev);
  }

  /** True when a watch from `rv` can no longer be served from history. */
  isExpired(storage: string, rv: number): boolean {
    return rv < this.history(storage).floor;
  }

  /**
   * Events after `rv`, then live delivery until the returned function is called. With a `route`, only
   * events whose object had or has that value are delivered (the subscriber still filters them).
   */
  subscribe(storage: string, rv: number, sub: Subscriber, route?: WatchRoute): () => void {
    for (const ev of this.history(storage).after(rv)) sub.deliver(ev);
    const set = route === undefined ? this.unrouted(storage) : this.route(storage, route);
    set.add(sub);
    return () => set.delete(sub);
  }

  private unrouted(storage: string): Set<Subscriber> {
    let set = this.subscribers.get(storage);
    if (!set) {
      set = new Set();
      this.subscribers.set(storage, set);
    }
    return set;
  }

  private route(storage: string, { field, value }: WatchRoute): Set<Subscriber> {
    let routes = this.routed.get(storage);
    if (!routes) {
      routes = new Map();
      this.routed.set(storage, routes);
    }
    let byValue = routes.get(field);
    if (!byValue) {
      byValue = new Map();
      routes.set(field, byValue);
    }
    let set = byValue.get(value);
    if (!set) {
      set = new Set();
      byValue.set(value, set);
    }
    return set;
  }

  /** The oldest RV a watch (or a continue token) may still start from. */
  floorOf(storage: string): number {
    return this.history(storage).floor;
  }

  subscriberCount(): number {
    let n = 0;
    for (const s of this.subscribers.values()) n += s.size;
    for (const routes of this.routed.values()) for (const byValue of routes.values()) for (const s of byValue.values()) n += s.size;
    return n;
  }

  private history(storage: string): History {
    let h = this.histories.get(storage);
    if (!h) {
      h = new History(this.capacity, this.floorRv);
      this.histories.set(storage, h);
    }
    return h;
  }
}
