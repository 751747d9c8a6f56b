/**
 * How a failed watch is restarted: capped exponential backoff with jitter (client-go's 0.8 s doubling to
 * 30 s), and one log line per failure streak: the first failure is logged with what failed and when the
 * watch retries, the next ones of the same streak are not (a stack per retry buried the log), and the
 * recovery is logged with how many failures the streak had. The clock and the random source are passed
 * in, so tests drive it without waiting.
 */
import { describeError } from './errors.js';
import type { Logger } from './logger.js';

export interface WatchRetryPolicy {
  initialMs: number;
  maxMs: number;
  /** Each delay is spread over [(1 - jitter)·d, d]. */
  jitter: number;
  /** A watch that stayed up this long before failing starts a new streak. */
  healthyAfterMs: number;
}

export const WATCH_RETRY: WatchRetryPolicy = { initialMs: 800, maxMs: 30_000, jitter: 0.5, healthyAfterMs: 60_000 };

/** The delay before retry `failures` (1 = the first retry of a streak). Pure. */
export function watchRetryDelayMs(failures: number, p: WatchRetryPolicy, random: () => number): number {
  const full = Math.min(p.maxMs, p.initialMs * 2 ** Math.max(0, failures - 1));
  return Math.round(full * (1 - p.jitter * random()));
}

export interface WatchRetryDeps {
  log: Logger;
  /** What is watched, for the log line (e.g. `nodes`, `pods on worker-3`). */
  what: string;
  now?: () => number;
  random?: () => number;
  policy?: WatchRetryPolicy;
}

export class WatchRetry {
  private failures = 0;
  private connectedAt: number | undefined;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly policy: WatchRetryPolicy;

  constructor(private readonly d: WatchRetryDeps) {
    this.now = d.now ?? Date.now;
    this.random = d.random ?? Math.random;
    this.policy = d.policy ?? WATCH_RETRY;
  }

  /** The watch is up (its list or first event arrived). */
  connected(): void {
    this.connectedAt = this.now();
  }

  /** The watch delivered data after failures: the streak is over (logged once). */
  recovered(): void {
    if (this.failures === 0) return;
    this.d.log.info({ what: this.d.what, failures: this.failures }, 'watch recovered');
    this.failures = 0;
  }

  /** The watch failed: how long to wait before restarting it. Logs only the first failure of a streak. */
  failed(err: unknown): number {
    const up = this.connectedAt;
    if (up !== undefined && this.now() - up >= this.policy.healthyAfterMs) this.failures = 0;
    this.connectedAt = undefined;
    this.failures += 1;
    const delayMs = watchRetryDelayMs(this.failures, this.policy, this.random);
    if (this.failures === 1) {
      this.d.log.warn({ what: this.d.what, err: describeError(err), retryInMs: delayMs }, 'watch failed; retrying with backoff (logged once until it recovers)');
    }
    return delayMs;
  }

  /** Failures in the current streak. */
  get streak(): number {
    return this.failures;
  }
}
