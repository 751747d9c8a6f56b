/**
 * The simulated probe's answers, from the network model, pure: a probe from one pod to another is answered
 * when both pods run on nodes that are up, neither node's pod network is broken, and both pods have the same
 * CNI, or Cilium routes through the host stack (host legacy routing), so Calico and Cilium pods reach each
 * other. A reboot cuts the node's pods (they are gone until they start again, with new addresses).
 */
import type { Cni } from './network-model.js';
import { hashString } from './rand.js';

export interface PodLocation {
  node: string;
  cni: Cni;
  nodeUp: boolean;
  networkBroken: boolean;
}

export function probeAnswered(from: PodLocation | undefined, to: PodLocation | undefined, hostLegacyRouting: boolean): boolean {
  if (!from || !to || !from.nodeUp || !to.nodeUp || from.networkBroken || to.networkBroken) return false;
  return from.cni === to.cni || hostLegacyRouting;
}

/** A plausible round trip in ms (0.1–1.5 on one node's network, a little more across CNIs), stable per path and probe. */
export function probeRttMs(fromIp: string, toIp: string, seq: number, crossCni: boolean): number {
  const r = mix32(hashString(fromIp) ^ Math.imul(hashString(toIp), 0x9e3779b1) ^ Math.imul(seq, 0x85ebca6b)) / 2 ** 32;
  return Math.round((0.1 + r * 1.4 + (crossCni ? 0.3 : 0)) * 100) / 100;
}

/** Murmur3's finaliser: spreads every input bit over the 32 output bits (no allocation, once per probe). */
function mix32(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
