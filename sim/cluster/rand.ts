/**
 * Deterministic randomness for the simulated cluster: one seeded generator per concern, so a run with the
 * same seed names pods and reports latencies the same way.
 */

import type { Random } from '../seeded-random.js';

export { seededRandom, type Random } from '../seeded-random.js';

/** A 32-bit FNV-1a hash of a string: mixes a seed with names into a stable number. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** The alphabet Kubernetes uses for generated name suffixes (no vowels, no look-alikes). */
const NAME_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** A Kubernetes-style random suffix, e.g. `x7k2q`. */
export function nameSuffix(random: Random, length = 5): string {
  let out = '';
  for (let i = 0; i < length; i++) out += NAME_ALPHABET[Math.floor(random() * NAME_ALPHABET.length)] ?? 'x';
  return out;
}

/** A stable short hash of any JSON value (template hashes for DaemonSets and ReplicaSets). */
export function stableHash(value: unknown): string {
  return hashString(stableStringify(value)).toString(36);
}

/**
 * JSON with sorted keys, ignoring what differs between a typed client object and the same object read raw
 * from a watch: null/undefined fields, empty objects and lists, Dates versus their RFC 3339 strings.
 */
function stableStringify(value: unknown): string {
  return JSON.stringify(canonical(value)) ?? 'null';
}

function canonical(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString().replace('.000Z', 'Z');
  if (Array.isArray(value)) {
    const items = value.map(canonical).filter((v) => v !== undefined);
    return items.length > 0 ? items : undefined;
  }
  if (value === null || value === undefined) return undefined;
  if (typeof value !== 'object') return value;
  const entries = Object.entries(value)
    .map(([k, v]) => [k, canonical(v)] as const)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return entries.length > 0 ? Object.fromEntries(entries) : undefined;
}
