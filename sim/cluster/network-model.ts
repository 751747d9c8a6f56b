/**
 * The simulated pod network: which CNI gives a node's pods their addresses, decided from observed events.
 *
 * Cilium takes a node over when, in this order: the node carries the migration label, the node's Cilium
 * pod is (re)created (its init step reads the CiliumNodeConfig then), and the node reboots. The reverse
 * (label removed, Cilium pod re-created, reboot) hands the node back to Calico. Everything here is pure.
 */
import { CALICO_POD_CIDR, CILIUM_POD_CIDR } from '../../shared/names.js';

export type Cni = 'calico' | 'cilium';

export interface NodeNetwork {
  /** The CNI that hands out pod addresses on the node now. */
  active: Cni;
  /** Whether the node carries the migration label now. */
  labelled: boolean;
  /** The CNI the current Cilium pod was configured for when it was created (undefined: no pod seen yet). */
  ciliumPodConfiguredFor: Cni | undefined;
  /** How many takeovers (active changed) the node went through. */
  switches: number;
}

export type NetworkEvent =
  | { kind: 'label-observed'; labelled: boolean }
  | { kind: 'cilium-pod-created' }
  | { kind: 'rebooted' };

export const initialNodeNetwork = (labelled = false): NodeNetwork => ({
  active: 'calico',
  labelled,
  ciliumPodConfiguredFor: undefined,
  switches: 0,
});

/** The next state of one node's network after an observed event. */
export function applyNetworkEvent(state: NodeNetwork, event: NetworkEvent): NodeNetwork {
  switch (event.kind) {
    case 'label-observed':
      return { ...state, labelled: event.labelled };
    case 'cilium-pod-created':
      return { ...state, ciliumPodConfiguredFor: state.labelled ? 'cilium' : 'calico' };
    case 'rebooted': {
      const next = state.ciliumPodConfiguredFor ?? state.active;
      return { ...state, active: next, switches: state.switches + (next === state.active ? 0 : 1) };
    }
  }
}

/** The pod CIDR (the whole pool) of a CNI. */
export const poolOf = (cni: Cni): string => (cni === 'cilium' ? CILIUM_POD_CIDR : CALICO_POD_CIDR);

/** The /24 block a node's pods get from a pool: block `index` of the /16. */
export function nodeBlock(cni: Cni, index: number): string {
  return `${poolPrefix(cni)}.${index % 256}.0/24`;
}

/** The pod address with host number `host` (2–254) in a node's block. */
export function podAddress(cni: Cni, blockIndex: number, host: number): string {
  return `${poolPrefix(cni)}.${blockIndex % 256}.${host}`;
}

function poolPrefix(cni: Cni): string {
  return poolOf(cni).split('.').slice(0, 2).join('.');
}

/** The lowest free host number in a block, or undefined when the block is full. */
export function lowestFreeHost(used: ReadonlySet<number>): number | undefined {
  for (let host = 2; host <= 254; host++) if (!used.has(host)) return host;
  return undefined;
}

/** Whether an IPv4 address lies in a CIDR (`a.b.c.d/n`). Malformed input is simply "not in". */
export function ipInCidr(ip: string, cidr: string): boolean {
  const [base, bitsText] = cidr.split('/');
  const bits = Number(bitsText);
  const addr = ipToNumber(ip);
  const net = ipToNumber(base ?? '');
  if (addr === undefined || net === undefined || !Number.isInteger(bits) || bits < 0 || bits > 32) return false;
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return ((addr & mask) >>> 0) === ((net & mask) >>> 0);
}

function ipToNumber(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const part of parts) {
    const octet = Number(part);
    if (!/^\d{1,3}$/.test(part) || octet > 255) return undefined;
    n = n * 256 + octet;
  }
  return n;
}
