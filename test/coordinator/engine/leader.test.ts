import { describe, expect, it } from '@jest/globals';
import { claimLeader, leaseExpired } from '../../../coordinator/engine/leader.js';
import { slotIndexOf } from '../../../coordinator/engine/grants.js';
import { isOlder } from '../../../coordinator/engine/node-view.js';
import type { LeaseRecord } from '../../../coordinator/kube/leases.js';

const T = new Date('2026-01-01T00:00:00Z');
const at = (s: number) => new Date(T.getTime() + s * 1000);
const lease = (over: Partial<LeaseRecord>): LeaseRecord => ({
  name: 'cni-migrate-leader',
  holder: 'b',
  acquireTime: T,
  renewTime: T,
  durationSeconds: 15,
  transitions: 3,
  annotations: {},
  resourceVersion: '7',
  ...over,
});
const me = { identity: 'a', durationSeconds: 15, address: '10.0.0.5:9876' };

describe('leader election claims', () => {
  it('when there is no Lease, then it is created with this holder and the address', () => {
    expect(claimLeader(undefined, me, T)).toMatchObject({
      holder: 'a',
      transitions: 0,
      resourceVersion: undefined,
      annotations: { 'cni-migrate.io/address': '10.0.0.5:9876' },
    });
  });

  it('when another replica holds a fresh Lease, then there is no claim', () => {
    expect(claimLeader(lease({}), me, at(14))).toBeUndefined();
  });

  it('when another replica\'s Lease expired, then it is taken over with one more transition', () => {
    expect(claimLeader(lease({}), me, at(15))).toMatchObject({ holder: 'a', transitions: 4, acquireTime: at(15), resourceVersion: '7' });
  });

  it('when this replica holds the Lease, then it is renewed without a transition', () => {
    expect(claimLeader(lease({ holder: 'a' }), me, at(5))).toMatchObject({ holder: 'a', transitions: 3, acquireTime: T, renewTime: at(5) });
  });

  it('when a restarted replica finds a fresh Lease under its own name, then it takes it at once as a new term', () => {
    expect(claimLeader(lease({ holder: 'a' }), me, at(5), false)).toMatchObject({ holder: 'a', transitions: 4, acquireTime: at(5), renewTime: at(5) });
  });

  it.each([
    [lease({ holder: undefined }), T, true],
    [lease({}), at(10), false],
    [lease({ renewTime: undefined }), at(16), true],
  ])('when the Lease is %j at %s, then expired is %s', (l, now, expired) => {
    expect(leaseExpired(l, now)).toBe(expired);
  });
});

describe('small parsers', () => {
  it.each([
    ['cni-migrate-slot-0', 0],
    ['cni-migrate-slot-12', 12],
    ['cni-migrate-slot-x', undefined],
    ['cni-migrate-leader', undefined],
  ])('when a Lease is named %s, then its slot is %s', (name, slot) => {
    expect(slotIndexOf(name)).toBe(slot);
  });

  it.each([
    ['5', '10', true],
    ['10', '5', false],
    ['abc', '5', false],
    [undefined, '5', false],
  ])('when resourceVersion %s is compared with %s, then older is %s', (a, b, older) => {
    expect(isOlder(a, b)).toBe(older);
  });
});
