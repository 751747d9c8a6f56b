/**
 * Which probe pods each probe pod probes, pure: a bounded set, so a report's answer (and each pod's probing)
 * costs the same at 10 nodes or 5,000. The nodes stand on a ring in name order; a node probes the nodes at
 * fixed distances ahead of it: 1, 2, 4, 8… (so its peers are spread over the whole ring and, as the rollout
 * moves through it, Calico and Cilium nodes probe each other at every stage), then the smallest distances not
 * yet taken, up to `PEERS_PER_POD`. Every node is thus probed from as many sides as it probes. A ring of at
 * most `PEERS_PER_POD + 1` nodes is probed in full. Stable: the same names give the same peers.
 */

/** Peers each probe pod probes in a cluster larger than this plus one. */
export const PEERS_PER_POD = 12;

/** The distances ahead on a ring of `size` nodes, at most `PEERS_PER_POD`, each below `size`, none twice. */
export function ringOffsets(size: number, perPod: number = PEERS_PER_POD): number[] {
  const want = Math.min(perPod, Math.max(0, size - 1));
  const out: number[] = [];
  for (let d = 1; d < size && out.length < want; d *= 2) out.push(d);
  const taken = new Set(out);
  for (let d = 3; d < size && out.length < want; d += 1) if (!taken.has(d)) out.push(d);
  return out;
}

/**
 * The ring: node names in plain string order, each with its place. Built again only when a name is new
 * (a probe pod's replacement keeps its node's place).
 */
export class PeerRing {
  private readonly names: string[] = [];
  private readonly place = new Map<string, number>();
  private offsets: number[] = [];

  /** Adds a node not on the ring yet (O(n), once per node). */
  add(node: string): void {
    if (this.place.has(node)) return;
    let lo = 0;
    for (let hi = this.names.length; lo < hi; ) {
      const mid = (lo + hi) >>> 1;
      if ((this.names[mid] ?? '') < node) lo = mid + 1;
      else hi = mid;
    }
    this.names.splice(lo, 0, node);
    for (let i = lo; i < this.names.length; i += 1) this.place.set(this.names[i] ?? '', i);
    this.offsets = ringOffsets(this.names.length);
  }

  /** The nodes `node` probes, in distance order (O(PEERS_PER_POD)); none when it is not on the ring. */
  peersOf(node: string): string[] {
    const at = this.place.get(node);
    if (at === undefined) return [];
    const n = this.names.length;
    return this.offsets.map((d) => this.names[(at + d) % n] ?? node);
  }
}
