import { describe, expect, it } from '@jest/globals';
import { PEERS_PER_POD, PeerRing, ringOffsets } from '../../../coordinator/core/probe/peer-ring.js';

const ringOf = (names: readonly string[]): PeerRing => {
  const ring = new PeerRing();
  for (const n of names) ring.add(n);
  return ring;
};
const workers = (n: number): string[] => Array.from({ length: n }, (_, i) => `w-${String(i).padStart(4, '0')}`);

describe('the probe peer ring', () => {
  it.each([
    [1, []],
    [2, [1]],
    [5, [1, 2, 4, 3]],
    [13, [1, 2, 4, 8, 3, 5, 6, 7, 9, 10, 11, 12]],
    [1000, [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 3, 5]],
  ])('when the ring has %i nodes, then the distances are %j', (size, expected) => {
    expect(ringOffsets(size)).toEqual(expected);
  });

  it('when a cluster is small, then each pod probes every other node', () => {
    const names = workers(PEERS_PER_POD + 1);
    const ring = ringOf(names);
    for (const n of names) expect(new Set(ring.peersOf(n))).toEqual(new Set(names.filter((m) => m !== n)));
  });

  it('when a cluster has 1,000 nodes, then each pod probes a bounded set and each node is probed from as many sides', () => {
    const names = workers(1000);
    const ring = ringOf([...names].reverse());
    const probedBy = new Map<string, number>();
    for (const n of names) {
      const peers = ring.peersOf(n);
      expect(peers).toHaveLength(PEERS_PER_POD);
      expect(new Set(peers).size).toBe(PEERS_PER_POD);
      expect(peers).not.toContain(n);
      for (const p of peers) probedBy.set(p, (probedBy.get(p) ?? 0) + 1);
    }
    expect(new Set(probedBy.values())).toEqual(new Set([PEERS_PER_POD]));
  });

  it('when half the ring has moved to Cilium in name order, then every node still probes both kinds', () => {
    const names = workers(1000);
    const ring = ringOf(names);
    const cilium = new Set(names.slice(0, 500));
    for (const n of names) {
      const kinds = new Set(ring.peersOf(n).map((p) => cilium.has(p)));
      expect(kinds).toEqual(new Set([true, false]));
    }
  });

  it('when nodes join in any order, then the peers are the same', () => {
    const names = workers(40);
    const a = ringOf(names);
    const b = ringOf([...names.slice(20), ...names.slice(0, 20)].reverse());
    for (const n of names) expect(b.peersOf(n)).toEqual(a.peersOf(n));
    expect(a.peersOf('not-on-the-ring')).toEqual([]);
  });
});
