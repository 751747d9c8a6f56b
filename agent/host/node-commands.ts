/**
 * The `inventory` and `cleanup` commands: run against the network namespace they run in, print a
 * report (JSON or text), and return the exit code: 0 only when nothing of Calico's is left (for a dry
 * run: when nothing would go), 1 otherwise.
 */
import { stat } from 'node:fs/promises';
import type { CleanupReport } from './node-host.js';
import { ConfigError } from '../../shared/errors.js';
import { cleanupNode, type CleanupDeps } from './cleanup.js';
import { describeInventory, describeKept, inventoryCounts, leftoverCount, takeInventory } from './inventory.js';

export type OutputFormat = 'json' | 'text';

export interface InventoryReport {
  /** Calico's items by kind. */
  found: Record<string, number>;
  leftover: number;
  items: string[];
  kept: string[];
}

export type Write = (text: string) => void;

/** Bad input changes nothing: a host root that is not a directory is a usage error. */
export async function requireDirectory(dir: string, flag: string): Promise<void> {
  const st = await stat(dir).catch(() => undefined);
  if (!st?.isDirectory()) throw new ConfigError(`${flag} ${dir}: not a directory`, [flag]);
}

const byKind = (counts: Record<string, number>): string =>
  Object.entries(counts)
    .map(([k, n]) => `${k}=${n}`)
    .join(' ');

export function formatInventory(report: InventoryReport, format: OutputFormat): string {
  if (format === 'json') return `${JSON.stringify(report)}\n`;
  const head = report.leftover === 0 ? 'no Calico state found' : `Calico state found: ${byKind(report.found)}`;
  return [head, ...report.items.map((l) => `  ${l}`), ...report.kept.map((l) => `  ${l}`)].join('\n') + '\n';
}

export function formatCleanup(report: CleanupReport, format: OutputFormat): string {
  if (format === 'json') return `${JSON.stringify(report)}\n`;
  const verb = report.dryRun ? 'would remove' : 'removed';
  const head = `${verb}: ${byKind(report.removed)}; leftover=${report.leftover}; ${Math.round(report.durationMs)} ms`;
  return [head, ...report.notes.map((l) => `  ${l}`)].join('\n') + '\n';
}

export async function runInventoryCommand(deps: CleanupDeps, format: OutputFormat, write: Write): Promise<number> {
  await requireDirectory(deps.hostRoot, '--host-root');
  const inv = await takeInventory(deps);
  const leftover = leftoverCount(inv);
  write(formatInventory({ found: inventoryCounts(inv), leftover, items: describeInventory(inv), kept: describeKept(inv) }, format));
  return leftover === 0 ? 0 : 1;
}

export interface CleanupCommandOptions {
  dryRun: boolean;
  force: boolean;
  format: OutputFormat;
}

export async function runCleanupCommand(deps: CleanupDeps, opts: CleanupCommandOptions, write: Write): Promise<number> {
  await requireDirectory(deps.hostRoot, '--host-root');
  const report = await cleanupNode(deps, { dryRun: opts.dryRun, force: opts.force });
  write(formatCleanup(report, opts.format));
  return report.leftover === 0 ? 0 : 1;
}

export interface NodeCommandFlags {
  output: OutputFormat;
  hostRoot: string;
  procRoot: string;
}

/** The CLI handlers of `inventory` and `cleanup`, given how to build the cleanup's parts. */
export function nodeCommandHandlers(makeDeps: (paths: { hostRoot: string; procRoot: string }) => CleanupDeps, write: Write) {
  return {
    inventory: (f: NodeCommandFlags): Promise<number> => runInventoryCommand(makeDeps(f), f.output, write),
    cleanup: (f: NodeCommandFlags & { dryRun: boolean; force: boolean }): Promise<number> =>
      runCleanupCommand(makeDeps(f), { dryRun: f.dryRun, force: f.force, format: f.output }, write),
  };
}
