/**
 * Retrying a Kubernetes call that failed for a passing reason (no answer, 429, 5xx) within a deadline: one
 * dropped connection or 503 is not the step's failure. A typed error is judged by the API error it wraps.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { CniMigrateError } from './errors.js';
import { httpStatusOf } from './http-status.js';

/** A failure worth another try within the deadline: the API did not answer, or answered 429 or 5xx. */
export function isTransient(e: unknown): boolean {
  if (e instanceof CniMigrateError) return e.cause !== undefined && isTransient(e.cause);
  const status = httpStatusOf(e);
  return status === undefined || status === 429 || status >= 500;
}

const RETRY_MS = [100, 200, 400, 800, 1500] as const;

/** Runs `call` until it succeeds, fails for good, or `until` (epoch ms) passed (then the last error is thrown). */
export async function retryTransient<T>(call: () => Promise<T>, until: number, sleep: (ms: number) => Promise<unknown> = delay): Promise<T> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await call();
    } catch (e) {
      const wait = RETRY_MS[Math.min(attempt, RETRY_MS.length - 1)] ?? 1500;
      if (!isTransient(e) || Date.now() + wait >= until) throw e;
      await sleep(wait);
    }
  }
}
