/**
 * Apply an iptables cleanup plan: ONE `*-restore --noflush --wait` transaction per table.
 *
 * Each transaction is atomic (a kill leaves the table untouched or clean). When one fails — most often
 * because a Calico rule it deletes vanished since the plan was read — that table is read and planned
 * afresh, once, and retried. Running the whole cleanup again is always safe.
 */
import type { Logger } from 'pino';
import { silentLogger } from '../../../shared/logger.js';
import { describeError } from '../../../shared/errors.js';
import type { CommandRunner } from '../exec.js';
import { iptablesRestoreArgv, iptablesBinary } from '../commands/iptables.js';
import { DEFAULT_COMMAND_TIMEOUT_MS, replanTable, type ProbeOptions, type TablePlan } from './plan.js';

export interface ApplyOptions extends ProbeOptions {
  log?: Logger;
}

export interface IptablesApplyResult {
  tablesApplied: number;
  rulesRemoved: number;
  chainsRemoved: number;
  /** Tables whose first transaction failed and that were planned afresh and retried. */
  tablesReplanned: number;
}

/** One transaction; returns the restore's complaint when it failed, undefined when it applied. */
async function restoreTable(run: CommandRunner, plan: TablePlan, timeoutMs: number): Promise<string | undefined> {
  const res = await run(iptablesRestoreArgv(plan.target), { input: plan.payload, allowFailure: true, timeoutMs });
  return res.exitCode === 0 ? undefined : res.stderr.trim().slice(0, 500) || `exit ${res.exitCode}`;
}

async function restoreOrThrow(run: CommandRunner, plan: TablePlan, timeoutMs: number): Promise<void> {
  await run(iptablesRestoreArgv(plan.target), { input: plan.payload, timeoutMs });
}

/** Apply one table; on failure re-plan it once and retry. Returns what was actually removed. */
export async function applyTablePlan(
  run: CommandRunner,
  plan: TablePlan,
  opts: ApplyOptions = {},
): Promise<{ applied: TablePlan | undefined; replanned: boolean }> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
  const complaint = await restoreTable(run, plan, timeoutMs);
  if (complaint === undefined) return { applied: plan, replanned: false };
  const log = opts.log ?? silentLogger();
  const where = { binary: iptablesBinary(plan.target), table: plan.table };
  log.warn({ ...where, stderr: complaint }, 'iptables table changed since it was planned; planning it afresh');
  const fresh = await replanTable(run, plan, opts);
  if (fresh === undefined) return { applied: undefined, replanned: true };
  try {
    await restoreOrThrow(run, fresh, timeoutMs);
  } catch (e) {
    log.error({ ...where, err: describeError(e) }, 'iptables table cleanup failed twice');
    throw e;
  }
  return { applied: fresh, replanned: true };
}

export async function applyTablePlans(
  run: CommandRunner,
  tables: readonly TablePlan[],
  opts: ApplyOptions = {},
): Promise<IptablesApplyResult> {
  const result: IptablesApplyResult = { tablesApplied: 0, rulesRemoved: 0, chainsRemoved: 0, tablesReplanned: 0 };
  const log = opts.log ?? silentLogger();
  for (const plan of tables) {
    const { applied, replanned } = await applyTablePlan(run, plan, opts);
    if (replanned) result.tablesReplanned++;
    if (applied === undefined) continue;
    result.tablesApplied++;
    result.rulesRemoved += applied.hookRules.length + applied.rulesInChains;
    result.chainsRemoved += applied.chains.length;
    log.info(
      { binary: iptablesBinary(applied.target), table: applied.table, chains: applied.chains.length },
      'removed Calico iptables state from table',
    );
  }
  return result;
}
