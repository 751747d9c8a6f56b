/**
 * Leader election on the Lease `cni-migrate-leader`: acquire when absent, free or expired; renew at a
 * third of the duration; a lost race (409) just means another replica won this round. The leader also
 * publishes where agents reach it (annotation `cni-migrate.io/address`).
 */
import { describeError, isCniMigrateError } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';
import { COORDINATOR_ADDRESS_ANNOTATION, LEADER_LEASE_NAME } from '../../shared/names.js';
import type { LeaseRecord, LeasesApi } from '../kube/leases.js';

export interface LeaderOptions {
  leases: LeasesApi;
  identity: string;
  durationSeconds: number;
  /** `host:port` published on the Lease for agents; omitted when unknown. */
  address: string | undefined;
  now: () => Date;
  log: Logger;
  onStartedLeading: () => void;
  onStoppedLeading: () => void;
}

export function leaseExpired(l: LeaseRecord, now: Date): boolean {
  if (!l.holder) return true;
  const renewed = (l.renewTime ?? l.acquireTime)?.getTime() ?? 0;
  return renewed + l.durationSeconds * 1000 <= now.getTime();
}

/**
 * The Lease as this replica would write it to hold leadership now, or undefined when another holds it.
 * A Lease held under this replica's own name while it does not lead (the pod's previous process, killed)
 * is taken at once, as a new term: no other process runs under this name, and the new acquire time tells
 * the agents to reconnect.
 */
export function claimLeader(
  current: LeaseRecord | undefined,
  o: Pick<LeaderOptions, 'identity' | 'durationSeconds' | 'address'>,
  now: Date,
  leading = true,
): LeaseRecord | undefined {
  const annotations = { ...(current?.annotations ?? {}), ...(o.address ? { [COORDINATOR_ADDRESS_ANNOTATION]: o.address } : {}) };
  const base = { name: LEADER_LEASE_NAME, durationSeconds: o.durationSeconds, annotations, renewTime: now };
  if (!current) return { ...base, holder: o.identity, acquireTime: now, transitions: 0, resourceVersion: undefined };
  if (current.holder === o.identity && leading) return { ...current, ...base, holder: o.identity };
  if (current.holder === o.identity) return { ...current, ...base, holder: o.identity, acquireTime: now, transitions: current.transitions + 1 };
  if (!leaseExpired(current, now)) return undefined;
  return { ...current, ...base, holder: o.identity, acquireTime: now, transitions: current.transitions + 1 };
}

export class LeaderElector {
  private leading = false;
  private timer: NodeJS.Timeout | undefined;
  private deadline: NodeJS.Timeout | undefined;
  private stopped = false;
  private lastRound: Date | undefined;

  constructor(private readonly o: LeaderOptions) {}

  /** When the last election round finished (with or without the Lease); undefined before the first. */
  lastRoundAt(): Date | undefined {
    return this.lastRound;
  }

  isLeader(): boolean {
    return this.leading;
  }

  start(): void {
    this.stopped = false;
    void this.round();
  }

  /** Stops campaigning; a leader gives the Lease up so a successor need not wait for it to expire. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    clearTimeout(this.deadline);
    if (!this.leading) return;
    this.setLeading(false);
    try {
      const l = await this.o.leases.get(LEADER_LEASE_NAME);
      if (l?.holder === this.o.identity) await this.o.leases.write({ ...l, holder: undefined, renewTime: undefined });
    } catch (e) {
      this.o.log.warn({ err: describeError(e) }, 'could not release the leader Lease');
    }
  }

  /**
   * Dies as a killed process would: stops campaigning and renewing at once, without releasing the Lease
   * (a successor waits for it to expire) and without telling anyone it stopped leading.
   */
  abandon(): void {
    this.stopped = true;
    this.leading = false;
    clearTimeout(this.timer);
    clearTimeout(this.deadline);
  }

  private async round(): Promise<void> {
    let wait = (this.o.durationSeconds * 1000) / 3;
    try {
      wait = await this.tryAcquireOrRenew();
    } catch (e) {
      const conflict = isCniMigrateError(e) && e.code === 'Conflict';
      if (!conflict) this.o.log.warn({ err: describeError(e) }, 'leader election round failed');
      wait = conflict ? 50 : wait;
    }
    this.lastRound = this.o.now();
    if (!this.stopped) this.timer = setTimeout(() => void this.round(), wait);
  }

  /** One attempt; returns how long to wait before the next. */
  private async tryAcquireOrRenew(): Promise<number> {
    const now = this.o.now();
    const current = await this.o.leases.get(LEADER_LEASE_NAME);
    const claim = claimLeader(current, this.o, now, this.leading);
    const durationMs = this.o.durationSeconds * 1000;
    if (!claim) {
      this.setLeading(false);
      const expiresAt = ((current?.renewTime ?? now).getTime() + (current?.durationSeconds ?? 0) * 1000);
      return Math.max(10, Math.min(durationMs / 2, expiresAt - now.getTime() + 10));
    }
    await this.o.leases.write(claim);
    if (this.stopped) return durationMs;
    this.renewed(now);
    return durationMs / 3;
  }

  /**
   * Leading until the renew deadline (two thirds of the duration) unless renewed again: a leader cut off
   * from the API server steps down before any other replica may take the Lease over (at the full duration).
   */
  private renewed(renewTime: Date): void {
    clearTimeout(this.deadline);
    const left = renewTime.getTime() + (this.o.durationSeconds * 1000 * 2) / 3 - this.o.now().getTime();
    if (left <= 0) return this.setLeading(false);
    this.deadline = setTimeout(() => this.setLeading(false), left);
    this.setLeading(true);
  }

  private setLeading(leading: boolean): void {
    if (leading === this.leading) return;
    this.leading = leading;
    this.o.log.info({ identity: this.o.identity }, leading ? 'became leader' : 'stopped leading');
    if (leading) this.o.onStartedLeading();
    else this.o.onStoppedLeading();
  }
}
