/**
 * A short-lived memory of successful agent authentications, keyed by a hash of the token (the token itself
 * is never kept). It also remembers where the token's pod runs, so a heartbeat costs no API call. An entry
 * never outlives its token's own expiry; one past its TTL is handed back once (`lapsed`), for the caller to
 * renew on other evidence or to review again.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { AgentPrincipal, PodPlacement } from './principal.js';

export interface CachedAgent {
  principal: AgentPrincipal;
  pod: PodPlacement;
}

interface Entry extends CachedAgent {
  expiresAt: number;
  /** The token's own expiry (its `exp` claim), in ms; the entry is never trusted past it. */
  tokenExpiresAt: number | undefined;
}

const JwtClaimsSchema = z.object({ exp: z.number().positive() });

/**
 * When a JWT expires (its `exp` claim, in ms), read from its payload without checking the signature: only for
 * a token a TokenReview has already accepted, to bound how long that answer is kept. undefined when unreadable.
 */
export function tokenExpiry(token: string): number | undefined {
  const payload = token.split('.')[1];
  if (payload === undefined) return undefined;
  try {
    const claims = JwtClaimsSchema.safeParse(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')));
    return claims.success ? claims.data.exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

const MAX_ENTRIES = 10_000;

export const tokenKey = (token: string): string => createHash('sha256').update(token).digest('hex');

export class TokenCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** The entry while within its TTL (and its token's expiry). */
  get(token: string): CachedAgent | undefined {
    const entry = this.entries.get(tokenKey(token));
    if (entry === undefined || entry.expiresAt <= this.now()) return undefined;
    return { principal: entry.principal, pod: entry.pod };
  }

  /**
   * An entry past its TTL, once (it is forgotten): what the review said, for the caller to renew with `remember`
   * or to review the token again. None once the token itself has expired, or when its expiry is unknown (a
   * pod-bound token always has one).
   */
  lapsed(token: string): CachedAgent | undefined {
    const key = tokenKey(token);
    const entry = this.entries.get(key);
    if (entry === undefined || entry.expiresAt > this.now()) return undefined;
    this.entries.delete(key);
    const alive = entry.tokenExpiresAt !== undefined && entry.tokenExpiresAt > this.now();
    return alive ? { principal: entry.principal, pod: entry.pod } : undefined;
  }

  remember(token: string, agent: CachedAgent): void {
    if (this.ttlMs <= 0) return;
    if (this.entries.size >= MAX_ENTRIES) this.dropExpiredOrOldest();
    const tokenExpiresAt = tokenExpiry(token);
    const expiresAt = Math.min(this.now() + this.ttlMs, tokenExpiresAt ?? Infinity);
    this.entries.set(tokenKey(token), { ...agent, expiresAt, tokenExpiresAt });
  }

  get size(): number {
    return this.entries.size;
  }

  private dropExpiredOrOldest(): void {
    const now = this.now();
    for (const [key, entry] of this.entries) {
      if (entry.expiresAt <= now) this.entries.delete(key);
    }
    const oldest = this.entries.keys().next();
    if (this.entries.size >= MAX_ENTRIES && oldest.done !== true) this.entries.delete(oldest.value);
  }
}

/**
 * Where each reviewed agent pod runs, by pod uid: a scheduled pod's node never changes, so this needs no
 * expiry (only a bound, oldest first, far above any cluster's agent count).
 */
export class PodPlacements {
  private readonly byUid = new Map<string, PodPlacement>();

  get(uid: string): PodPlacement | undefined {
    return this.byUid.get(uid);
  }

  remember(uid: string, pod: PodPlacement): void {
    if (this.byUid.size >= MAX_ENTRIES) {
      const oldest = this.byUid.keys().next();
      if (oldest.done !== true) this.byUid.delete(oldest.value);
    }
    this.byUid.set(uid, pod);
  }
}
