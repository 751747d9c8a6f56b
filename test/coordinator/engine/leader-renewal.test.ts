import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { LeaderElector } from '../../../coordinator/engine/leader.js';
import type { LeaseRecord, LeasesApi } from '../../../coordinator/kube/leases.js';
import { CniMigrateError } from '../../../shared/errors.js';
import { silentLogger } from '../../../shared/logger.js';

/** One Lease store with optimistic writes, counting requests; writes answer after `writeDelayMs`. */
class FakeLeases implements LeasesApi {
  gets = 0;
  writes = 0;
  writeDelayMs = 0;
  lease: LeaseRecord | undefined;
  private version = 0;

  get(): Promise<LeaseRecord | undefined> {
    this.gets += 1;
    return Promise.resolve(this.lease);
  }

  list(): Promise<LeaseRecord[]> {
    return Promise.resolve(this.lease ? [this.lease] : []);
  }

  async write(l: LeaseRecord): Promise<LeaseRecord> {
    this.writes += 1;
    if (this.writeDelayMs > 0) await new Promise((r) => setTimeout(r, this.writeDelayMs));
    if (l.resourceVersion !== this.lease?.resourceVersion) throw new CniMigrateError('Conflict', `lease ${l.name} changed`);
    return this.store(l);
  }

  /** A write from elsewhere (another replica, an edit), which bumps the version. */
  store(l: LeaseRecord): LeaseRecord {
    this.version += 1;
    this.lease = { ...l, resourceVersion: String(this.version) };
    return this.lease;
  }
}

describe('leader Lease renewal', () => {
  let leases: FakeLeases;
  let changes: string[];
  let elector: LeaderElector;

  beforeEach(async () => {
    jest.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') });
    leases = new FakeLeases();
    changes = [];
    elector = new LeaderElector({
      leases, identity: 'a', durationSeconds: 3, address: undefined, now: () => new Date(), log: silentLogger(),
      onStartedLeading: () => changes.push('started'),
      onStoppedLeading: () => changes.push('stopped'),
    });
    elector.start();
    await jest.advanceTimersByTimeAsync(0);
    expect(elector.isLeader()).toBe(true);
    leases.gets = 0;
    leases.writes = 0;
  });

  afterEach(() => {
    elector.abandon();
    jest.useRealTimers();
  });

  it('when the leader renews, then each renewal is one PUT at the version it last wrote and no GET', async () => {
    await jest.advanceTimersByTimeAsync(4000);
    expect({ gets: leases.gets, writes: leases.writes }).toEqual({ gets: 0, writes: 4 });
    expect(elector.isLeader()).toBe(true);
    expect(changes).toEqual(['started']);
  });

  it('when a renewal answers after the renew deadline but while the Lease is valid, then leadership is kept', async () => {
    leases.writeDelayMs = 1500;
    await jest.advanceTimersByTimeAsync(2400);
    expect(elector.isLeader()).toBe(true);
    expect(changes).toEqual(['started']);
  });

  it('when a renewal does not answer before the Lease would expire, then the leader steps down first', async () => {
    leases.writeDelayMs = 10_000;
    await jest.advanceTimersByTimeAsync(2700);
    expect(elector.isLeader()).toBe(false);
    expect(changes).toEqual(['started', 'stopped']);
  });

  it('when its writes answer too late to lead, then its rounds keep the term it started (agents are not sent to reconnect each round) and it leads again in that term once answers are quick', async () => {
    const term = leases.lease?.acquireTime?.getTime();
    leases.writeDelayMs = 10_000;
    await jest.advanceTimersByTimeAsync(30_000);
    expect(elector.isLeader()).toBe(false);
    expect(leases.lease?.acquireTime?.getTime()).toBe(term);
    leases.writeDelayMs = 0;
    await jest.advanceTimersByTimeAsync(15_000);
    expect(elector.isLeader()).toBe(true);
    expect(leases.lease).toMatchObject({ holder: 'a', transitions: 0 });
    expect(leases.lease?.acquireTime?.getTime()).toBe(term);
  });

  it('when another replica took the Lease over, then the renewal conflicts, reads once and steps down', async () => {
    leases.store({ ...(leases.lease as LeaseRecord), holder: 'b', acquireTime: new Date(), renewTime: new Date() });
    await jest.advanceTimersByTimeAsync(1000);
    expect({ gets: leases.gets, writes: leases.writes }).toEqual({ gets: 1, writes: 1 });
    expect(elector.isLeader()).toBe(false);
    expect(leases.lease?.holder).toBe('b');
  });

  it('when the Lease was edited but is still this replica\'s, then the renewal reads it once and retries', async () => {
    leases.store({ ...(leases.lease as LeaseRecord), annotations: { note: 'edited' } });
    await jest.advanceTimersByTimeAsync(1000);
    expect({ gets: leases.gets, writes: leases.writes }).toEqual({ gets: 1, writes: 2 });
    expect(elector.isLeader()).toBe(true);
    expect(leases.lease).toMatchObject({ holder: 'a', annotations: { note: 'edited' } });
  });
});
