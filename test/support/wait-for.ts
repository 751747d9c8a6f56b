/**
 * The tests' one way to wait: `waitFor(description, probe, { timeoutMs, signal })` resolves with the
 * probe's first truthy answer and fails with the description once the deadline passes (or the signal
 * aborts). The probe runs at once, then each time `wakeOn` reports a change (event-driven), and at a short
 * interval as a fallback (for state no event announces). The deadline is a bound, never an outcome: a
 * test that passes does so because the condition held.
 */
export interface WaitOptions {
  /** How long the condition may take to hold; generous (the machine may be loaded). */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Subscribes a callback to the changes that may make the probe true; returns the unsubscribe. */
  wakeOn?: (wake: () => void) => () => void;
  /** Fallback polling interval. */
  intervalMs?: number;
}

type Falsy = false | 0 | '' | null | undefined;

export const DEFAULT_TIMEOUT_MS = 10_000;

export function waitFor<T>(description: string, probe: () => T | Falsy | Promise<T | Falsy>, opts: WaitOptions = {}): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return new Promise<T>((resolve, reject) => {
    let done = false;
    let probing = false;
    let again = false;
    let lastError: unknown;
    const finish = (fn: () => void): void => {
      if (done) return;
      done = true;
      clearTimeout(deadline);
      clearInterval(ticker);
      unsubscribe();
      opts.signal?.removeEventListener('abort', onAbort);
      fn();
    };
    const check = async (): Promise<void> => {
      if (done) return;
      if (probing) {
        again = true;
        return;
      }
      probing = true;
      try {
        const v = await probe();
        if (v) finish(() => resolve(v));
      } catch (e) {
        lastError = e;
      } finally {
        probing = false;
      }
      if (again && !done) {
        again = false;
        void check();
      }
    };
    const wake = (): void => void check();
    const onAbort = (): void => finish(() => reject(new Error(`aborted while waiting for: ${description}`)));
    const deadline = setTimeout(() => {
      const why = lastError instanceof Error ? ` (last probe failed: ${lastError.message})` : '';
      finish(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for: ${description}${why}`)));
    }, timeoutMs);
    const ticker = setInterval(wake, opts.intervalMs ?? 20);
    const unsubscribe = opts.wakeOn?.(wake) ?? (() => undefined);
    if (opts.signal?.aborted) onAbort();
    opts.signal?.addEventListener('abort', onAbort);
    wake();
  });
}
