/**
 * Leader election on the Lease `cni-migrate-leader`: acquire when absent, free or expired; renew at a
 * third of the duration with one PUT at the resourceVersion last written (as client-go's leaderelection
 * renews from its cached record); a lost race (409) just means another replica won this round. The leader
 * also publishes where agents reach it (annotation `cni-migrate.io/address`).
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

/** client-go's ratios (renewDeadline 10 s and retryPeriod 2 s of a 15 s Lease), scaled to any duration. */
export const RENEW_DEADLINE_RATIO = 2 / 3;
export const RETRY_PERIOD_RATIO = 2 / 15;
/** A leader renews every third of the duration, so two attempts fit before the renew deadline. */
export const RENEW_PERIOD_RATIO = 1 / 3;

const isConflict = (e: unknown): boolean => isCniMigrateError(e) && e.code === 'Conflict';

export function leaseExpired(l: LeaseRecord, now: Date): boolean {
  if (!l.holder) return true;
  const renewed = (l.renewTime ?? l.acquireTime)?.getTime() ?? 0;
  return renewed + l.durationSeconds * 1000 <= now.getTime();
}

/**
 * The Lease as this replica would write it to hold leadership now, or undefined when another holds it.
 * `ownTerm`: the Lease's term is this process's (it leads, or it wrote that acquire time itself and lost
 * leading only because an answer came late): renewed within the term. A Lease held under this replica's own
 * name from another term (the pod's previous process, killed) is taken at once, as a new term: no other
 * process runs under this name, and the new acquire time tells the agents to reconnect.
 */
export function claimLeader(
  current: LeaseRecord | undefined,
  o: Pick<LeaderOptions, 'identity' | 'durationSeconds' | 'address'>,
  now: Date,
  ownTerm = true,
): LeaseRecord | undefined {
  const annotations = { ...(current?.annotations ?? {}), ...(o.address ? { [COORDINATOR_ADDRESS_ANNOTATION]: o.address } : {}) };
  const base = { name: LEADER_LEASE_NAME, durationSeconds: o.durationSeconds, annotations, renewTime: now };
  if (!current) return { ...base, holder: o.identity, acquireTime: now, transitions: 0, resourceVersion: undefined };
  if (current.holder === o.identity && ownTerm) return { ...current, ...base, holder: o.identity };
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
  /** The Lease as this replica last wrote it while leading: the next renewal is one PUT at its version. */
  private record: LeaseRecord | undefined;
  /** A round's request is on its way: the renew deadline waits for its answer while the Lease is valid. */
  private inFlight = false;
  /** The acquire time of the last term this process wrote: retaking its own Lease in that term starts no new one. */
  private term: number | undefined;

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

  private get durationMs(): number {
    return this.o.durationSeconds * 1000;
  }

  private async round(): Promise<void> {
    const started = this.o.now();
    let wait = this.durationMs * RETRY_PERIOD_RATIO;
    this.inFlight = true;
    try {
      wait = await (this.leading && this.record ? this.renew(started) : this.campaign(started));
    } catch (e) {
      const conflict = isConflict(e);
      if (!conflict) this.o.log.warn({ err: describeError(e) }, 'leader election round failed');
      wait = conflict ? 50 : wait;
    } finally {
      this.inFlight = false;
    }
    this.lastRound = this.o.now();
    if (!this.stopped) this.timer = setTimeout(() => void this.round(), wait);
  }

  /** Acquire (or take back) the Lease after reading it; returns how long to wait before the next round. */
  private async campaign(now: Date): Promise<number> {
    const current = await this.o.leases.get(LEADER_LEASE_NAME);
    // Without the term check, a replica whose writes came back too late to lead (a loaded API server) started a
    // new term with every round, and every agent reconnected each time, loading the server further.
    const ownTerm = this.leading || (this.term !== undefined && current?.acquireTime?.getTime() === this.term);
    const claim = claimLeader(current, this.o, now, ownTerm);
    if (!claim) {
      this.record = undefined;
      this.setLeading(false);
      const expiresAt = ((current?.renewTime ?? now).getTime() + (current?.durationSeconds ?? 0) * 1000);
      return Math.max(10, Math.min(this.durationMs / 2, expiresAt - now.getTime() + 10));
    }
    return this.hold(claim, now);
  }

  /**
   * Renew with one PUT at the version last written. A Conflict means someone wrote the Lease since: read
   * it once, and go on only if it is still ours and valid; otherwise step down.
   */
  private async renew(now: Date): Promise<number> {
    const cached = this.record as LeaseRecord;
    try {
      return await this.hold(claimLeader(cached, this.o, now) as LeaseRecord, now, true);
    } catch (e) {
      if (!isConflict(e)) throw e;
    }
    const current = await this.o.leases.get(LEADER_LEASE_NAME);
    if (current?.holder !== this.o.identity || leaseExpired(current, now)) {
      this.o.log.info({ identity: this.o.identity, holder: current?.holder }, 'the leader Lease was taken over');
      this.record = undefined;
      this.setLeading(false);
      return this.durationMs * RETRY_PERIOD_RATIO;
    }
    return this.hold(claimLeader(current, this.o, now) as LeaseRecord, now, true);
  }

  /**
   * Write the claim and lead from `now`. A renewal answered after this replica already stepped down does
   * not bring it back in the same term: the next round campaigns and starts a new one.
   */
  private async hold(claim: LeaseRecord, now: Date, renewal = false): Promise<number> {
    const written = await this.o.leases.write(claim);
    this.term = written.acquireTime?.getTime();
    if (this.stopped) return this.durationMs;
    if (renewal && !this.leading) return 0;
    this.record = written;
    this.renewed(now);
    return Math.max(0, now.getTime() + this.durationMs * RENEW_PERIOD_RATIO - this.o.now().getTime());
  }

  /**
   * Leading until the renew deadline (two thirds of the duration) unless renewed again: a leader cut off
   * from the API server steps down before any other replica may take the Lease over (at the full duration).
   * A renewal still in flight at the deadline (a slow answer, a lagging event loop) is waited for while
   * the Lease is valid by this replica's clock, less one retry period kept as a margin.
   */
  private renewed(renewTime: Date): void {
    clearTimeout(this.deadline);
    const renewBy = renewTime.getTime() + this.durationMs * RENEW_DEADLINE_RATIO;
    const validUntil = renewTime.getTime() + this.durationMs * (1 - RETRY_PERIOD_RATIO);
    if (validUntil <= this.o.now().getTime()) return this.setLeading(false);
    this.setLeading(true);
    this.stepDownAt(renewBy, validUntil);
  }

  private stepDownAt(renewBy: number, validUntil: number): void {
    const left = renewBy - this.o.now().getTime();
    this.deadline = setTimeout(() => {
      if (this.inFlight && renewBy < validUntil) return this.stepDownAt(validUntil, validUntil);
      this.record = undefined;
      this.setLeading(false);
    }, Math.max(0, left));
  }

  private setLeading(leading: boolean): void {
    if (leading === this.leading) return;
    this.leading = leading;
    this.o.log.info({ identity: this.o.identity }, leading ? 'became leader' : 'stopped leading');
    if (leading) this.o.onStartedLeading();
    else this.o.onStoppedLeading();
  }
}
