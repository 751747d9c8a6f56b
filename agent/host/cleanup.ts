/**
 * The cleanup runbook: inventory → plan → (dry run: report) or apply in order
 * firewall (iptables/nft) → ipsets → ip rules + routes → links → files, then a fresh inventory
 * whose count is the leftover. Re-runnable: every step acts only on what the inventory found.
 */
import type { CommandRunner } from './exec.js';
import type { CleanupOptions, CleanupReport } from './node-host.js';
import type { Logger } from '../../shared/logger.js';
import { PreconditionError } from '../../shared/errors.js';
import type { FirewallCleanup } from './firewall-step.js';
import { describeInventory, describeKept, inventoryCounts, leftoverCount, takeInventory, type NodeInventory } from './inventory.js';
import { destroyIpsets } from './ipsets.js';
import { routeDeleteLine } from './routes.js';
import { ruleDeleteLine } from './ip-rules.js';
import { linkBatchLines, linkPlanSize } from './links.js';
import { removeFiles } from './calico-files.js';
import { findCalicoNodeProcesses } from './calico-process.js';
import { ipBatchArgv, type IpFamily } from './commands/ip.js';

export interface CleanupDeps {
  run: CommandRunner;
  firewall: FirewallCleanup;
  hostRoot: string;
  procRoot: string;
  log: Logger;
  /** Milliseconds, for the duration; defaults to performance.now. */
  now?: () => number;
}

/** Refuses while calico-node runs here: it would put everything back. */
export async function refuseWhileCalicoRuns(procRoot: string, force: boolean): Promise<string[]> {
  const pids = await findCalicoNodeProcesses(procRoot);
  if (pids.length === 0) return [];
  const what = `calico-node is still running on this node (pid ${pids.join(', ')})`;
  if (!force) {
    throw new PreconditionError(`${what}: it would re-create what the cleanup removes; remove Calico first, or force it (--force; for orders, the agent's --force-cleanup)`);
  }
  return [`${what}; cleaning anyway (forced)`];
}

/** Rules first (they point at Calico's table), then routes; one batch per family. */
async function removeRulesAndRoutes(run: CommandRunner, inv: NodeInventory, notes: string[]): Promise<void> {
  for (const family of [4, 6] as const satisfies readonly IpFamily[]) {
    const lines = [
      ...inv.rules.filter((r) => r.family === family).map(ruleDeleteLine),
      ...inv.routes.filter((r) => r.family === family).map(routeDeleteLine),
    ];
    await runIpBatch(run, lines, notes, family);
  }
}

async function runIpBatch(run: CommandRunner, lines: string[], notes: string[], family?: IpFamily): Promise<void> {
  if (lines.length === 0) return;
  const res = await run(ipBatchArgv(family), { input: `${lines.join('\n')}\n`, allowFailure: true });
  if (res.exitCode !== 0) notes.push(`ip batch reported: ${res.stderr.trim().slice(0, 300)}`);
}

async function applyInventory(deps: CleanupDeps, inv: NodeInventory, notes: string[]): Promise<Record<string, number>> {
  const removed = { ...(await inv.firewall.apply()) };
  const ipsetError = await destroyIpsets(deps.run, inv.ipsets);
  if (ipsetError !== undefined) notes.push(`ipset restore reported: ${ipsetError}`);
  await removeRulesAndRoutes(deps.run, inv, notes);
  await runIpBatch(deps.run, linkBatchLines(inv.links), notes);
  await removeFiles(inv.files);
  return {
    ...removed,
    ipsets: inv.ipsets.destroy.length,
    routes: inv.routes.length,
    'ip-rules': inv.rules.length,
    links: linkPlanSize(inv.links),
    files: inv.files.length,
  };
}

export async function cleanupNode(deps: CleanupDeps, opts: CleanupOptions): Promise<CleanupReport> {
  const now = deps.now ?? (() => performance.now());
  const started = now();
  const notes = await refuseWhileCalicoRuns(deps.procRoot, opts.force);
  const inv = await takeInventory(deps);
  const kept = describeKept(inv);
  if (opts.dryRun) {
    const wouldGo = describeInventory(inv).map((l) => `would remove ${l}`);
    const leftover = leftoverCount(inv);
    deps.log.info({ dryRun: true, leftover }, 'cleanup dry run');
    return { dryRun: true, removed: inventoryCounts(inv), leftover, leftByKind: inventoryCounts(inv), durationMs: Math.round(now() - started), notes: [...notes, ...wouldGo, ...kept] };
  }
  const removed = await applyInventory(deps, inv, notes);
  const after = await takeInventory(deps);
  const leftover = leftoverCount(after);
  deps.log.info({ removed, leftover }, 'cleanup applied');
  const gone = describeInventory(inv).map((l) => `removed ${l}`);
  return { dryRun: false, removed, leftover, leftByKind: inventoryCounts(after), durationMs: Math.round(now() - started), notes: [...notes, ...gone, ...kept] };
}
