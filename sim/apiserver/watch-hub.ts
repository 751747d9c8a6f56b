/**
 * The watch cache: a bounded history of events per storage table and the live subscribers. A watch from a
 * resourceVersion replays the history after it; one older than the window is `Expired` (410).
 */
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

export class WatchHub {
  private readonly histories = new Map<string, History>();
  private readonly subscribers = new Map<string, Set<Subscriber>>();

  /** `floorRv`: the RV the server started at; older watches are expired. */
  constructor(
    private readonly capacity: number,
    private readonly floorRv: number,
  ) {}

  record(storage: string, ev: StoredEvent): void {
    this.history(storage).push(ev);
    const subs = this.subscribers.get(storage);
    if (!subs) return;
    for (const s of subs) s.deliver(ev);
  }

  /** True when a watch from `rv` can no longer be served from history. */
  isExpired(storage: string, rv: number): boolean {
    return rv < this.history(storage).floor;
  }

  /** Events after `rv`, then live delivery until the returned function is called. */
  subscribe(storage: string, rv: number, sub: Subscriber): () => void {
    for (const ev of this.history(storage).after(rv)) sub.deliver(ev);
    let set = this.subscribers.get(storage);
    if (!set) {
      set = new Set();
      this.subscribers.set(storage, set);
    }
    set.add(sub);
    return () => set.delete(sub);
  }

  /** The oldest RV a watch (or a continue token) may still start from. */
  floorOf(storage: string): number {
    return this.history(storage).floor;
  }

  subscriberCount(): number {
    let n = 0;
    for (const s of this.subscribers.values()) n += s.size;
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
