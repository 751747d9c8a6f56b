/**
 * The cleanup's counts, per node and by kind: Calico items found before and left after. Each settled
 * round entry is kept in the record (`inventories`), so the status shows them after the stage moved on,
 * and written on the Node as one line. Pure.
 */
import type { NodeInventory, NodeRound } from './record.js';

/** `kind=n …` of the kinds with any item ("nothing" when none). */
export function countsText(counts: Record<string, number>): string {
  const kinds = Object.entries(counts).filter(([, n]) => n > 0).map(([k, n]) => `${k}=${n}`);
  return kinds.length > 0 ? kinds.join(' ') : 'nothing';
}

/** `found <kind>=<n> …; left <n>` and, when anything is left, what (`left 3: ipsets=3`). */
export function inventoryLine(found: Record<string, number>, left: number, leftByKind?: Record<string, number>): string {
  const what = left > 0 && leftByKind !== undefined ? `: ${countsText(leftByKind)}` : '';
  return `found ${countsText(found)}; left ${left}${what}`;
}

/** Why a node's cleanup failed: what is left, by kind when the agent said. */
export function leftoverText(e: NodeRound): string {
  if (e.left === undefined) return 'cleanup failed';
  return `${e.left} Calico items left${e.leftByKind ? ` (${countsText(e.leftByKind)})` : ''}`;
}

/** The record's inventories with every settled entry that reported counts. */
export function withInventories(kept: Record<string, NodeInventory> | undefined, entries: readonly NodeRound[]): Record<string, NodeInventory> | undefined {
  const settled = entries.filter((e) => e.state !== 'Running' && e.found !== undefined);
  if (settled.length === 0) return kept;
  const out = { ...kept };
  for (const e of settled) out[e.name] = { found: e.found ?? {}, left: e.leftByKind ?? { total: e.left ?? 0 } };
  return out;
}
