import type { Watched } from '../../../coordinator/kube/watched.js';

/** A watch cache the test drives: `put` and `remove` change it and call the listeners, as an informer does. */
export function fakeWatched<T extends { metadata?: { name?: string; namespace?: string } }>(): Watched<T> & { put(o: T): void; remove(o: T): void } {
  const items = new Map<string, T>();
  const listeners = new Set<(o: T) => void>();
  const key = (name: string | undefined, ns: string | undefined): string => `${ns ?? ''}/${name ?? ''}`;
  return {
    list: () => [...items.values()],
    get: (name, ns) => items.get(key(name, ns)),
    onChange: (cb) => {
      listeners.add(cb);
      return () => listeners.delete(cb);
    },
    start: () => Promise.resolve(),
    stop: () => Promise.resolve(),
    put(o) {
      items.set(key(o.metadata?.name, o.metadata?.namespace), o);
      listeners.forEach((l) => l(o));
    },
    remove(o) {
      items.delete(key(o.metadata?.name, o.metadata?.namespace));
      listeners.forEach((l) => l(o));
    },
  };
}
