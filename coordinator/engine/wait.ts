/**
 * Event-driven waiting: wake on a change notification, re-check a condition, give up at a deadline or
 * when aborted. No polling, no fixed sleeps.
 */
export type Subscribe = (onChange: () => void) => () => void;

/** Resolves true once `ready()` holds, false at the deadline or on abort. */
export function waitUntil(ready: () => boolean, subscribe: Subscribe, deadlineMs: number, signal: AbortSignal): Promise<boolean> {
  if (ready()) return Promise.resolve(true);
  return new Promise((resolve) => {
    const finish = (ok: boolean): void => {
      clearTimeout(timer);
      unsubscribe();
      signal.removeEventListener('abort', onAbort);
      resolve(ok);
    };
    const onAbort = (): void => finish(false);
    const timer = setTimeout(() => finish(ready()), Math.max(0, deadlineMs));
    const unsubscribe = subscribe(() => {
      if (ready()) finish(true);
    });
    signal.addEventListener('abort', onAbort);
    if (signal.aborted) finish(false);
  });
}

/** Resolves after `ms`, or early (false) when aborted: the backoff between retries of a refused call. */
export function backoff(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Wakes waiters keyed by name (long-polls for a node's next order). */
export class Waiters {
  private readonly waiting = new Map<string, Set<() => void>>();

  /** Resolves on the next `notify(key)` or when the signal aborts. */
  next(key: string, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const set = this.waiting.get(key) ?? new Set<() => void>();
      this.waiting.set(key, set);
      const done = (): void => {
        set.delete(done);
        signal.removeEventListener('abort', done);
        resolve();
      };
      set.add(done);
      signal.addEventListener('abort', done, { once: true });
      if (signal.aborted) done();
    });
  }

  notify(key: string): void {
    for (const w of [...(this.waiting.get(key) ?? [])]) w();
  }

  notifyAll(): void {
    for (const key of this.waiting.keys()) this.notify(key);
  }
}
