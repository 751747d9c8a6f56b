/**
 * A watched collection: the cache of a client-node informer (list + watch), with change callbacks. The
 * engine reads observations from these caches and is woken by their events.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import type { Informer, ObjectCache } from '@kubernetes/client-node';
import { describeError } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';

export interface Watched<T> {
  list(): readonly T[];
  get(name: string, namespace?: string): T | undefined;
  /** Called on every add, update and delete; returns an unsubscribe function. */
  onChange(cb: (obj: T) => void): () => void;
  start(): Promise<void>;
  stop(): Promise<void>;
}

const RESTART_BACKOFF_MS = [500, 1000, 2000, 5000, 10_000, 30_000] as const;
/** A watch that stayed connected this long before failing starts its backoff over. */
const HEALTHY_AFTER_MS = 60_000;

/** Wraps an informer; a failed watch restarts with backoff until stopped. */
export function watchedFrom<T extends KubernetesObject>(
  informer: Informer<T> & ObjectCache<T>,
  log: Logger,
  what: string,
): Watched<T> {
  const listeners = new Set<(obj: T) => void>();
  const emit = (obj: T): void => listeners.forEach((l) => l(obj));
  let stopped = true;
  let failures = 0;
  let restartTimer: NodeJS.Timeout | undefined;
  informer.on('add', emit);
  informer.on('update', emit);
  informer.on('delete', emit);
  let connectedAt = 0;
  informer.on('connect', () => {
    connectedAt = Date.now();
  });
  informer.on('error', (err: unknown) => {
    if (stopped) return;
    // client-node emits 'connect' before the list even on a refused connection: only a watch that stayed up resets.
    if (connectedAt > 0 && Date.now() - connectedAt > HEALTHY_AFTER_MS) failures = 0;
    const delay = RESTART_BACKOFF_MS[Math.min(failures++, RESTART_BACKOFF_MS.length - 1)];
    log.warn({ err: describeError(err), what, delayMs: delay }, 'watch failed; restarting');
    restartTimer = setTimeout(() => {
      if (!stopped) informer.start().catch((e: unknown) => log.warn({ err: describeError(e), what }, 'watch restart failed'));
    }, delay);
  });
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
      await informer.stop();
    },
  };
}
