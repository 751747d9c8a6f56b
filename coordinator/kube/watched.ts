/**
 * A watched collection: the cache of a client-node informer (list + watch), with change callbacks. The
 * engine reads observations from these caches and is woken by their events.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import type { Informer, ObjectCache } from '@kubernetes/client-node';
import type { Logger } from '../../shared/logger.js';
import { WatchRetry, type WatchRetryDeps } from '../../shared/watch-retry.js';

export interface Watched<T> {
  list(): readonly T[];
  get(name: string, namespace?: string): T | undefined;
  /** Called on every add, update and delete; returns an unsubscribe function. */
  onChange(cb: (obj: T) => void): () => void;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Wraps an informer; a failed watch restarts with capped, jittered backoff (one log line per streak) until stopped. */
export function watchedFrom<T extends KubernetesObject>(
  informer: Informer<T> & ObjectCache<T>,
  log: Logger,
  what: string,
  retryDeps: Partial<WatchRetryDeps> = {},
): Watched<T> {
  const listeners = new Set<(obj: T) => void>();
  const retry = new WatchRetry({ log, what, ...retryDeps });
  const emit = (obj: T): void => {
    retry.recovered();
    listeners.forEach((l) => l(obj));
  };
  let stopped = true;
  let restartTimer: NodeJS.Timeout | undefined;
  informer.on('add', emit);
  informer.on('update', emit);
  informer.on('delete', emit);
  // client-node emits 'connect' before the list even on a refused connection: only a watch that stays up resets the streak.
  informer.on('connect', () => retry.connected());
  const restartLater = (err: unknown): void => {
    if (stopped || restartTimer !== undefined) return;
    restartTimer = setTimeout(() => {
      restartTimer = undefined;
      if (!stopped) informer.start().catch(restartLater);
    }, retry.failed(err));
  };
  informer.on('error', restartLater);
  return {
    list: () => informer.list(),
    get: (name, namespace) => informer.get(name, namespace),
    onChange: (cb) => {
      listeners.add(cb);
      return () => listeners.delete(cb);
    },
    start: async () => {
      stopped = false;
      await informer.start();
    },
    stop: async () => {
      stopped = true;
      clearTimeout(restartTimer);
      restartTimer = undefined;
      await informer.stop();
    },
  };
}
