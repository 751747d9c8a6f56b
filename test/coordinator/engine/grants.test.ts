/** Grant slots when this replica's copy of a slot Lease is stale (a failed renewal, or a write whose answer was lost). */
import { describe, expect, it } from '@jest/globals';
import { SlotGrants } from '../../../coordinator/engine/grants.js';
import type { LeaseRecord, LeasesApi } from '../../../coordinator/kube/leases.js';
import { CniMigrateError } from '../../../shared/errors.js';
import { createLogger } from '../../../shared/logger.js';

/** Leases with optimistic concurrency; `loseNextAnswer` applies the next write but throws as a cut connection would. */
function memoryLeases(): LeasesApi & { store: Map<string, LeaseRecord>; loseNextAnswer: boolean } {
  let version = 0;
  return {
    store: new Map(),
    loseNextAnswer: false,
    async get(name) {
      return this.store.get(name);
    },
    async list() {
      return [...this.store.values()];
    },
    async write(lease) {
      const current = this.store.get(lease.name);
      if (current?.resourceVersion !== lease.resourceVersion) throw new CniMigrateError('Conflict', `lease ${lease.name}: stale`);
      const written = { ...lease, resourceVersion: String(++version) };
      this.store.set(lease.name, written);
      if (this.loseNextAnswer) {
        this.loseNextAnswer = false;
        throw new Error('socket hang up');
      }
      return written;
    },
  };
}

describe('slot grants', () => {
  it('when the answer to a release was lost, then the next grant of that slot reads the Lease again and succeeds without an error log', async () => {
    const lines: string[] = [];
    const log = createLogger({ component: 'test', level: 'info', destination: { write: (l: string) => void lines.push(l) } });
    const leases = memoryLeases();
    const grants = new SlotGrants(leases, 15, () => new Date(), log);
    await grants.grant(0, 'w1');
    leases.loseNextAnswer = true;
    await grants.release('w1');
    await expect(grants.flushReleases()).rejects.toThrow('socket hang up');
    await grants.grant(0, 'w2');
    expect(leases.store.get('cni-migrate-slot-0')?.holder).toBe('w2');
    expect(grants.holders()).toEqual(new Map([[0, 'w2']]));
    expect(lines.filter((l) => l.includes('"level":50'))).toEqual([]);
  });

  it('when a node finishes and the next is granted its slot, then the Lease is written once for the hand-off', async () => {
    const leases = memoryLeases();
    const grants = new SlotGrants(leases, 15, () => new Date(), createLogger({ component: 'test', level: 'silent' }));
    await grants.grant(0, 'w1');
    const before = leases.store.get('cni-migrate-slot-0')?.resourceVersion;
    await grants.release('w1');
    expect(grants.holds('w1')).toBe(false);
    expect(grants.holders()).toEqual(new Map());
    await grants.grant(0, 'w2');
    await grants.flushReleases();
    expect(Number(leases.store.get('cni-migrate-slot-0')?.resourceVersion)).toBe(Number(before) + 1);
    expect(leases.store.get('cni-migrate-slot-0')?.holder).toBe('w2');
  });

  it('when a node finishes and no node takes its slot, then flushing writes the release', async () => {
    const leases = memoryLeases();
    const grants = new SlotGrants(leases, 15, () => new Date(), createLogger({ component: 'test', level: 'silent' }));
    await grants.grant(0, 'w1');
    await grants.release('w1');
    expect(leases.store.get('cni-migrate-slot-0')?.holder).toBe('w1');
    await grants.flushReleases();
    expect(leases.store.get('cni-migrate-slot-0')?.holder).toBeUndefined();
  });

  it('when a grant write went through but its answer was lost, then granting it again finds it done', async () => {
    const leases = memoryLeases();
    const grants = new SlotGrants(leases, 15, () => new Date(), createLogger({ component: 'test', level: 'silent' }));
    leases.loseNextAnswer = true;
    await expect(grants.grant(1, 'w3')).rejects.toThrow('socket hang up');
    await grants.grant(1, 'w3');
    expect(grants.holds('w3')).toBe(true);
    expect(leases.store.get('cni-migrate-slot-1')?.transitions).toBe(1);
  });

  it('when another node holds the slot after all, then the Conflict stands', async () => {
    const leases = memoryLeases();
    const grants = new SlotGrants(leases, 15, () => new Date(), createLogger({ component: 'test', level: 'silent' }));
    await grants.grant(0, 'w1');
    const stale = leases.store.get('cni-migrate-slot-0');
    if (stale) leases.store.set(stale.name, { ...stale, holder: 'w9', resourceVersion: 'other' });
    await expect(grants.grant(0, 'w2')).rejects.toMatchObject({ code: 'Conflict' });
  });

  it('when a grant meets a stale copy of another slot, then a slot freed by a finished node stays free after the Leases are read again', async () => {
    const leases = memoryLeases();
    const grants = new SlotGrants(leases, 15, () => new Date(), createLogger({ component: 'test', level: 'silent' }));
    await grants.grant(0, 'w1');
    await grants.grant(1, 'w2');
    await grants.release('w1');
    const slot1 = leases.store.get('cni-migrate-slot-1');
    if (slot1) leases.store.set(slot1.name, { ...slot1, holder: undefined, resourceVersion: 'other' });
    await grants.grant(1, 'w3');
    expect(grants.holders()).toEqual(new Map([[1, 'w3']]));
    expect(grants.holds('w1')).toBe(false);
    await grants.grant(0, 'w4');
    expect(leases.store.get('cni-migrate-slot-0')?.holder).toBe('w4');
  });

  it('when the hand-off of a freed slot meets a stale copy still naming the finished node, then the next node is granted over it', async () => {
    const leases = memoryLeases();
    const grants = new SlotGrants(leases, 15, () => new Date(), createLogger({ component: 'test', level: 'silent' }));
    await grants.grant(0, 'w1');
    await grants.release('w1');
    const slot0 = leases.store.get('cni-migrate-slot-0');
    if (slot0) leases.store.set(slot0.name, { ...slot0, resourceVersion: 'other' });
    await grants.grant(0, 'w2');
    expect(leases.store.get('cni-migrate-slot-0')?.holder).toBe('w2');
    expect(grants.holders()).toEqual(new Map([[0, 'w2']]));
  });
});
