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

/** Tables whose watchers may be routed by one field (pod watchers by `spec.nodeName`). */
const ROUTE_FIELDS: Record<string, string[]> = { '/pods': ['spec', 'nodeName'] };

function routeKeyOf(storage: string, o: Obj | undefined): string | undefined {
  const path = ROUTE_FIELDS[storage];
  if (!path || !o) return undefined;
  const v = valueAtPath(o, path);
  return typeof v === 'string' ? v : '';
}

/** To the watchers routed by the object's key now, and by its key before if that differs. */
function deliverRouted(routes: Map<string, Set<Subscriber>>, ev: StoredEvent, storage: string): void {
  const keys = new Set([routeKeyOf(storage, ev.object), routeKeyOf(storage, ev.previous)]);
  for (const key of keys) {
    if (key === undefined) continue;
    for (const s of routes.get(key) ?? []) s.deliver(ev);
  }
}

/** Whether watchers of `storage` can be routed (then pass a route key to `subscribe`). */
export const isRoutable = (storage: string): boolean => ROUTE_FIELDS[storage] !== undefined;

export class WatchHub {
  private readonly histories = new Map<string, History>();
  private readonly subscribers = new Map<string, Set<Subscriber>>();
  /** storage -> route key -> watchers that only care about objects with that key (old or new). */
  private readonly routed = new Map<string, Map<string, Set<Subscriber>>>();

  /** `floorRv`: the RV the server started at; older watches are expired. */
  constructor(
    private readonly capacity: number,
    private readonly floorRv: number,
  ) {}

  record(storage: string, ev: StoredEvent): void {
    this.history(storage).push(ev);
    for (const s of this.subscribers.get(storage) ?? []) s.deliver(ev);
    const routes = this.routed.get(storage);
    if (routes) deliverRouted(routes, ev, storage);
  }

  /** True when a watch from `rv` can no longer be served from history. */
  isExpired(storage: string, rv: number): boolean {
    return rv < this.history(storage).floor;
  }

  /**
   * Events after `rv`, then live delivery until the returned function is called. With a `routeKey`, only
   * events whose object had or has that key are delivered (the subscriber still filters them).
   */
  subscribe(storage: string, rv: number, sub: Subscriber, routeKey?: string): () => void {
    for (const ev of this.history(storage).after(rv)) sub.deliver(ev);
    const set = routeKey === undefined ? this.unrouted(storage) : this.route(storage, routeKey);
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

  private route(storage: string, key: string): Set<Subscriber> {
    let routes = this.routed.get(storage);
    if (!routes) {
      routes = new Map();
      this.routed.set(storage, routes);
    }
    let set = routes.get(key);
    if (!set) {
      set = new Set();
      routes.set(key, set);
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
    for (const routes of this.routed.values()) for (const s of routes.values()) n += s.size;
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
