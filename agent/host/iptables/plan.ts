/**
 * Read every iptables backend × family and plan Calico's removal: one `--noflush` delta per table that
 * holds Calico state. Reads only (`*-save`, procfs); never creates a table.
 */
import { readFile } from 'node:fs/promises';
import type { IptablesBackend } from '../../../shared/api.js';
import type { CommandRunner } from '../exec.js';
import {
  ALL_IPTABLES_TARGETS,
  iptablesSaveArgv,
  legacyTableNamesPath,
  type Family,
  type IptablesTarget,
} from '../commands/iptables.js';
import { parseIptablesSave, type SavedTable } from './parse.js';
import { classifyTable, hasCalicoState } from './classify.js';
import { buildTablePayload, ruleAppendLine } from './payload.js';

export interface TablePlan {
  target: IptablesTarget;
  table: string;
  /** Calico's rules in chains that stay, as saved (`-A <chain> <spec>`). */
  hookRules: string[];
  /** Felix's chains to flush and delete. */
  chains: string[];
  /** Rules inside those chains (they go with the chain). */
  rulesInChains: number;
  /** The exact `iptables-restore --noflush` input. */
  payload: string;
}

export interface ProbeOptions {
  /** Where procfs is mounted as seen from the node's network namespace (default `/proc`). */
  procRoot?: string;
  /** Deadline for each host command (default 120 s). */
  timeoutMs?: number;
}

export const DEFAULT_COMMAND_TIMEOUT_MS = 120_000;

/** Plan one saved table: undefined when it holds nothing of Calico's. */
export function planTable(target: IptablesTarget, saved: SavedTable): TablePlan | undefined {
  const verdict = classifyTable(saved);
  if (!hasCalicoState(verdict)) return undefined;
  return {
    target,
    table: saved.name,
    hookRules: verdict.hookRules.map(ruleAppendLine),
    chains: verdict.felixChains,
    rulesInChains: verdict.rulesInFelixChains,
    payload: buildTablePayload(saved.name, verdict.hookRules, verdict.felixChains),
  };
}

export interface TargetPlan {
  tables: TablePlan[];
  setsUsedBySurvivors: string[];
}

/** Plan every table of one target's `*-save` output. Pure. */
export function planTarget(target: IptablesTarget, saveText: string): TargetPlan {
  const tables: TablePlan[] = [];
  const sets: string[] = [];
  for (const saved of parseIptablesSave(saveText)) {
    const plan = planTable(target, saved);
    if (plan) tables.push(plan);
    sets.push(...classifyTable(saved).setsUsedBySurvivors);
  }
  return { tables, setsUsedBySurvivors: sets };
}

/** Legacy tables that exist for one family, from procfs: missing or empty file means none. */
export async function legacyTablesPresent(family: Family, procRoot = '/proc'): Promise<string[]> {
  try {
    const text = await readFile(legacyTableNamesPath(procRoot, family), 'utf8');
    return text.split('\n').filter((name) => name.trim() !== '');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
}

/**
 * `*-save` output of one target, or undefined when the target has no tables. Legacy is probed through
 * procfs first, so a node without legacy tables never gets one.
 */
export async function saveTarget(
  run: CommandRunner,
  target: IptablesTarget,
  opts: ProbeOptions = {},
): Promise<string | undefined> {
  if (target.backend === 'legacy' && (await legacyTablesPresent(target.family, opts.procRoot)).length === 0) {
    return undefined;
  }
  const res = await run(iptablesSaveArgv(target), { timeoutMs: opts.timeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS });
  return parseIptablesSave(res.stdout).length > 0 ? res.stdout : undefined;
}

/** Whether a saved dump holds any rule or user chain (a bare table with default policies does not count). */
export function holdsAnyRule(saveText: string): boolean {
  return parseIptablesSave(saveText).some((t) => t.rules.length > 0 || t.chains.some((c) => c.policy === '-'));
}

/** The iptables backends (legacy, nft) that hold any rules in either family. */
export async function backendsInUse(run: CommandRunner, opts: ProbeOptions = {}): Promise<IptablesBackend[]> {
  const inUse = new Set<IptablesBackend>();
  for (const target of ALL_IPTABLES_TARGETS) {
    if (inUse.has(target.backend)) continue;
    const text = await saveTarget(run, target, opts);
    if (text !== undefined && holdsAnyRule(text)) inUse.add(target.backend);
  }
  return [...inUse];
}

export interface IptablesTargetsPlan {
  tables: TablePlan[];
  /** ipset names referenced by rules that are NOT Calico's (so they must be kept). */
  ipsetsReferencedByOthers: string[];
  /** Backend × family pairs that have any table at all. */
  targetsPresent: IptablesTarget[];
}

export async function planIptablesTargets(run: CommandRunner, opts: ProbeOptions = {}): Promise<IptablesTargetsPlan> {
  const plan: IptablesTargetsPlan = { tables: [], ipsetsReferencedByOthers: [], targetsPresent: [] };
  const sets = new Set<string>();
  for (const target of ALL_IPTABLES_TARGETS) {
    const text = await saveTarget(run, target, opts);
    if (text === undefined) continue;
    plan.targetsPresent.push(target);
    const targetPlan = planTarget(target, text);
    plan.tables.push(...targetPlan.tables);
    targetPlan.setsUsedBySurvivors.forEach((s) => sets.add(s));
  }
  plan.ipsetsReferencedByOthers = [...sets].sort();
  return plan;
}

/** Re-read one table and plan it afresh (after its transaction failed because the table moved on). */
export async function replanTable(
  run: CommandRunner,
  stale: TablePlan,
  opts: ProbeOptions = {},
): Promise<TablePlan | undefined> {
  const text = await saveTarget(run, stale.target, opts);
  const saved = text === undefined ? undefined : parseIptablesSave(text).find((t) => t.name === stale.table);
  return saved === undefined ? undefined : planTable(stale.target, saved);
}
