/**
 * Jittered exponential backoff for reaching the coordinator: the delay doubles per failed attempt up to a
 * cap, and each wait is spread over [(1-jitter)·d, d] so restarted agents do not stampede together.
 */
import { setTimeout as delay } from 'node:timers/promises';

export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
  factor: number;
  /** 0 = no jitter, 1 = anywhere between 0 and the full delay. */
  jitter: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 200, maxMs: 15_000, factor: 2, jitter: 0.5 };

/** The wait before retry number `attempt` (0-based). Pure: pass `random` to make it deterministic. */
export function backoffDelayMs(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const full = Math.min(policy.maxMs, policy.initialMs * policy.factor ** Math.max(0, attempt));
  return Math.round(full * (1 - policy.jitter * random()));
}

/** Counts consecutive failures; `wait` resolves after the next backoff delay or rejects when `signal` aborts. */
export class Backoff {
  private attempt = 0;
  constructor(
    private readonly policy: BackoffPolicy = DEFAULT_BACKOFF,
    private readonly random: () => number = Math.random,
  ) {}

  reset(): void {
    this.attempt = 0;
  }

  get failures(): number {
    return this.attempt;
  }

  async wait(signal: AbortSignal): Promise<void> {
    const ms = backoffDelayMs(this.attempt, this.policy, this.random);
    this.attempt += 1;
    await delay(ms, undefined, { signal });
  }
}
