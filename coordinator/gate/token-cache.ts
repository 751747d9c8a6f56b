/**
 * A short-lived memory of successful agent authentications, keyed by a hash of the token (the token itself
 * is never kept). It also remembers where the token's pod runs, so a heartbeat costs no API call.
 */
import { createHash } from 'node:crypto';
import type { AgentPrincipal, PodPlacement } from './principal.js';

export interface CachedAgent {
  principal: AgentPrincipal;
  pod: PodPlacement;
}

interface Entry extends CachedAgent {
  expiresAt: number;
}

const MAX_ENTRIES = 10_000;

export const tokenKey = (token: string): string => createHash('sha256').update(token).digest('hex');

export class TokenCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  get(token: string): CachedAgent | undefined {
    const key = tokenKey(token);
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return { principal: entry.principal, pod: entry.pod };
  }

  remember(token: string, agent: CachedAgent): void {
    if (this.ttlMs <= 0) return;
    if (this.entries.size >= MAX_ENTRIES) this.dropExpiredOrOldest();
    this.entries.set(tokenKey(token), { ...agent, expiresAt: this.now() + this.ttlMs });
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
