/**
 * What keeps unauthenticated traffic from turning into TokenReviews one for one: a short memory of
 * rejected tokens (keyed by their hash, like the success cache), and a token bucket per source address
 * that caps how many reviews one source may cause. Pure bookkeeping: the clock is passed in.
 */
import { tokenKey } from './token-cache.js';

export interface ReviewLimits {
  /** How long a token the TokenReview rejected stays rejected without another review. */
  rejectedTtlMs: number;
  /** Reviews one source may cause at once, then `perSecond` more each second. */
  burst: number;
  perSecond: number;
}

export const DEFAULT_REVIEW_LIMITS: ReviewLimits = { rejectedTtlMs: 30_000, burst: 100, perSecond: 20 };

const MAX_REMEMBERED = 10_000;

/** A bounded map that forgets its oldest entry when full (insertion order is age order). */
function remember<V>(map: Map<string, V>, key: string, value: V): void {
  map.delete(key);
  if (map.size >= MAX_REMEMBERED) {
    const oldest = map.keys().next();
    if (oldest.done !== true) map.delete(oldest.value);
  }
  map.set(key, value);
}

export class RejectedTokens {
  private readonly entries = new Map<string, { why: Error; expiresAt: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number,
  ) {}

  /** The error the token's review ended with, while remembered. */
  get(token: string): Error | undefined {
    const key = tokenKey(token);
    const e = this.entries.get(key);
    if (e === undefined) return undefined;
    if (e.expiresAt > this.now()) return e.why;
    this.entries.delete(key);
    return undefined;
  }

  remember(token: string, why: Error): void {
    if (this.ttlMs > 0) remember(this.entries, tokenKey(token), { why, expiresAt: this.now() + this.ttlMs });
  }
}

export class SourceBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly limits: Pick<ReviewLimits, 'burst' | 'perSecond'>,
    private readonly now: () => number,
  ) {}

  /** Takes one review from the source's bucket; false when it is empty. */
  take(source: string): boolean {
    const now = this.now();
    const b = this.buckets.get(source) ?? { tokens: this.limits.burst, at: now };
    const tokens = Math.min(this.limits.burst, b.tokens + ((now - b.at) / 1000) * this.limits.perSecond);
    const allowed = tokens >= 1;
    remember(this.buckets, source, { tokens: allowed ? tokens - 1 : tokens, at: now });
    return allowed;
  }
}
