/**
 * The agent's iptables cleanup: the one entry point the node cleanup calls.
 *
 *   const plan = await planIptablesCleanup(run);        // read only: *-save, procfs, nft list table
 *   await applyIptablesPlan(run, plan);                 // one iptables-restore --noflush per table
 *   await applyNftPlan(run, plan);                      // one nft -f batch for Calico's nft tables
 *
 * Destroy Calico's ipsets only after both, and keep `plan.ipsetsReferencedByOthers`.
 */
import type { IptablesBackend } from '../../../shared/api.js';
import type { Logger } from 'pino';
import type { CommandRunner } from '../exec.js';
import type { IptablesTarget } from '../commands/iptables.js';
import { planIptablesTargets, DEFAULT_COMMAND_TIMEOUT_MS, backendsInUse as probeBackends } from './plan.js';
import type { TablePlan } from './plan.js';
import { applyTablePlans } from './apply.js';
import { applyNftTables, planNftCleanup } from './nft.js';

export type { Family, IptablesTarget } from '../commands/iptables.js';
export type { TablePlan } from './plan.js';
export type { IptablesApplyResult } from './apply.js';
export type { IptablesBackend };

export interface IptablesPlan {
  tables: TablePlan[];
  /** ipset names referenced by rules that are NOT Calico's (so they must be kept). */
  ipsetsReferencedByOthers: string[];
  targetsPresent: IptablesTarget[];
  /** Calico's nftables tables as `<family> <name>` (e.g. `ip calico`, `arp calico-arp`). */
  nftTables: string[];
  /** The procfs view the plan was read through (re-plans read the same). */
  procRoot: string;
}

export interface IptablesCleanupOptions {
  /** procfs as seen from the node's network namespace (default `/proc`). */
  procRoot?: string;
  /** Deadline for each host command (default 120 s). */
  timeoutMs?: number;
  log?: Logger;
}

export async function planIptablesCleanup(run: CommandRunner, opts: IptablesCleanupOptions = {}): Promise<IptablesPlan> {
  const procRoot = opts.procRoot ?? '/proc';
  const targets = await planIptablesTargets(run, { procRoot, timeoutMs: opts.timeoutMs });
  const nftTables = await planNftCleanup(run, opts.timeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS);
  return { ...targets, nftTables, procRoot };
}

export async function applyIptablesPlan(
  run: CommandRunner,
  plan: IptablesPlan,
  opts: Omit<IptablesCleanupOptions, 'procRoot'> = {},
): Promise<{ tablesApplied: number; rulesRemoved: number; chainsRemoved: number; tablesReplanned: number }> {
  return applyTablePlans(run, plan.tables, { ...opts, procRoot: plan.procRoot });
}

/** Remove Calico's nftables tables in one `nft -f -` batch. Returns how many tables went. */
export async function applyNftPlan(
  run: CommandRunner,
  plan: Pick<IptablesPlan, 'nftTables'>,
  opts: Pick<IptablesCleanupOptions, 'timeoutMs'> = {},
): Promise<{ nftTablesRemoved: number }> {
  const removed = await applyNftTables(run, plan.nftTables, opts.timeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS);
  return { nftTablesRemoved: removed };
}

/** The iptables backends (legacy, nft) that hold any rules, in either family. */
export async function backendsInUse(
  run: CommandRunner,
  opts: Pick<IptablesCleanupOptions, 'procRoot' | 'timeoutMs'> = {},
): Promise<IptablesBackend[]> {
  return probeBackends(run, opts);
}

export { FELIX_CHAIN_PREFIXES, isFelixChain, classifyTable, isCalicoHookRule } from './classify.js';
export { parseIptablesSave, tokenizeRuleSpec } from './parse.js';
export { buildTablePayload } from './payload.js';
export { CALICO_NFT_TABLES, buildNftPayload } from './nft.js';
