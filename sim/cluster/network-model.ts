/**
 * The simulated pod network: which CNI gives a node's pods their addresses, decided from observed events.
 *
 * Cilium takes a node over when, in this order: the node carries the migration label, the node's Cilium
 * pod is (re)created (its init step reads the CiliumNodeConfig then), and the node reboots. The reverse
 * (label removed, Cilium pod re-created, reboot) hands the node back to Calico. Everything here is pure.
 */
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

/** Each CNI's pod pool, as the cluster configures it (Calico's IPPool, Cilium's cluster-pool-ipv4-cidr). */
export type Pools = Record<Cni, string>;

/** The pools of the default seed (Calico 10.244.0.0/16, Cilium 10.245.0.0/16), until the cluster's are read. */
export const SEED_POOLS: Pools = { calico: '10.244.0.0/16', cilium: '10.245.0.0/16' };

/** The /24 block number `index` of a pool (wrapping within the pool), as a 32-bit base address. */
function blockBase(pool: string, index: number): number {
  const [base = '0.0.0.0', bitsText = '16'] = pool.split('/');
  const bits = Math.min(24, Number(bitsText));
  const blocks = 2 ** (24 - bits);
  return ((ipToNumber(base) ?? 0) + (index % blocks) * 256) >>> 0;
}

/** The /24 block a node's pods get from a pool: block `index` of the pool. */
export function nodeBlock(pool: string, index: number): string {
  return `${numberToIp(blockBase(pool, index))}/24`;
}

/** The pod address with host number `host` (2–254) in a node's block. */
export function podAddress(pool: string, blockIndex: number, host: number): string {
  return numberToIp(blockBase(pool, blockIndex) + host);
}

const numberToIp = (n: number): string => [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');

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
