/**
 * A watched list of objects (client-node ListWatch) and waiting on it: resolve when a condition over
 * the cached objects holds, with a deadline, re-checked on every event (no polling).
 */
import { ListWatch, Watch, type KubeConfig, type KubernetesListObject, type KubernetesObject } from '@kubernetes/client-node';
import { DeadlineError } from '../../shared/errors.js';

export interface WatchedList<T extends KubernetesObject> {
  list(): readonly T[];
  onChange(cb: (obj: T) => void): () => void;
  onDelete(cb: (obj: T) => void): void;
  /** Resolves once `holds(list)` is true; rejects with DeadlineError after `deadlineMs`. */
  until(holds: (items: readonly T[]) => boolean, what: string, deadlineMs: number): Promise<void>;
  stop(): Promise<void>;
}

export async function watchList<T extends KubernetesObject>(
  kc: KubeConfig,
  path: string,
  list: () => Promise<KubernetesListObject<T>>,
  selectors: { labelSelector?: string; fieldSelector?: string } = {},
): Promise<WatchedList<T>> {
  const informer = new ListWatch<T>(path, new Watch(kc), list, false, selectors.labelSelector, selectors.fieldSelector);
  const listeners = new Set<(obj: T) => void>();
  const fire = (obj: T): void => listeners.forEach((cb) => cb(obj));
  informer.on('add', fire);
  informer.on('update', fire);
  informer.on('delete', fire);
  let stopped = false;
  /** Pending waits' deadline timers, cleared on stop (a wait given up on must not hold the process). */
  const deadlines = new Set<NodeJS.Timeout>();
  informer.on('error', () => {
    if (stopped) return;
    setTimeout(() => void (stopped ? undefined : informer.start().catch(() => undefined)), 200);
  });
  await informer.start();
  const api: WatchedList<T> = {
    list: () => informer.list(),
    onDelete(cb) {
      informer.on('delete', cb);
    },
    onChange(cb) {
      listeners.add(cb);
      return () => listeners.delete(cb);
    },
    until(holds, what, deadlineMs) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          if (!holds(informer.list())) return;
          off();
          clearTimeout(timer);
          deadlines.delete(timer);
          resolve();
        };
        const off = api.onChange(check);
        const timer = setTimeout(() => {
          off();
          deadlines.delete(timer);
          reject(new DeadlineError(what, deadlineMs));
        }, deadlineMs);
        deadlines.add(timer);
        check();
      });
    },
    stop: () => {
      stopped = true;
      deadlines.forEach(clearTimeout);
      deadlines.clear();
      listeners.clear();
      return informer.stop();
    },
  };
  return api;
}
