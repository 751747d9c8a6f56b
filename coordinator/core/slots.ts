/**
 * Grant slot accounting. Slot i is the Lease `cni-migrate-slot-<i>`; its holder is the node being
 * migrated. Never more than `concurrency` nodes hold a slot.
 */
export interface SlotPlanInput {
  /** slot index → holder node (only held slots). */
  holders: ReadonlyMap<number, string>;
  concurrency: number;
  /** Nodes that need a grant, most urgent first (recovering and requested nodes, then the migration order). */
  candidates: readonly string[];
}

export interface SlotGrant {
  slot: number;
  node: string;
}

/** Which free slots go to which candidates now. */
export function planGrants(input: SlotPlanInput): SlotGrant[] {
  const held = new Set(input.holders.values());
  const free: number[] = [];
  for (let i = 0; i < input.concurrency; i++) if (!input.holders.has(i)) free.push(i);
  const room = Math.max(0, input.concurrency - input.holders.size);
  const wanting = input.candidates.filter((n, idx, all) => !held.has(n) && all.indexOf(n) === idx);
  return wanting.slice(0, Math.min(room, free.length)).map((node, i) => ({ slot: free[i] ?? 0, node }));
}

/** The slot a node holds, if any. */
export function slotOf(holders: ReadonlyMap<number, string>, node: string): number | undefined {
  for (const [slot, holder] of holders) if (holder === node) return slot;
  return undefined;
}
