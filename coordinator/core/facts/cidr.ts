/** IPv4 CIDR arithmetic for the pre-flight checks: parse, containment, overlap. Malformed input is undefined. */

export interface Cidr {
  /** As written, e.g. `10.245.0.0/16`. */
  text: string;
  /** The network address as an unsigned 32-bit number (host bits cleared). */
  base: number;
  bits: number;
}

function ipToNumber(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return undefined;
    n = n * 256 + Number(part);
  }
  return n;
}

const maskOf = (bits: number): number => (bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0);

/** An IPv4 CIDR (`a.b.c.d/n`), or a bare address as a /32; undefined for anything else (IPv6 included). */
export function parseCidr(text: string): Cidr | undefined {
  const [addr, bitsText, extra] = text.trim().split('/');
  if (extra !== undefined || addr === undefined) return undefined;
  const bits = bitsText === undefined ? 32 : Number(bitsText);
  const ip = ipToNumber(addr);
  if (ip === undefined || !/^\d{1,2}$/.test(bitsText ?? '32') || bits > 32) return undefined;
  return { text: text.trim(), base: (ip & maskOf(bits)) >>> 0, bits };
}

/** Whether `inner` lies entirely within `outer`. */
export function cidrContains(outer: Cidr, inner: Cidr): boolean {
  return outer.bits <= inner.bits && ((inner.base & maskOf(outer.bits)) >>> 0) === outer.base;
}

/** Whether two CIDRs share any address. */
export const cidrsOverlap = (a: Cidr, b: Cidr): boolean => cidrContains(a, b) || cidrContains(b, a);

/** Whether an IPv4 address lies in a CIDR given as text. */
export function addressIn(ip: string, cidr: string): boolean {
  const a = parseCidr(ip);
  const c = parseCidr(cidr);
  return a !== undefined && c !== undefined && a.bits === 32 && cidrContains(c, a);
}

/** The dotted form of a 32-bit number. */
export const numberToIp = (n: number): string => [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');
