/**
 * `npm run bench:migrate`: the coordinator alone, at cluster scale. For each size and concurrency it
 * starts the simulated cluster and its agents in one process (the agents in their own thread) and the
 * coordinator in another, migrates every node (instant reboots, nothing to drain), and prints one JSON line:
 * `{"results":[{nodes, concurrency, wallMs, overheadMsPerNode, handoffMs:{p50,p99}, apiRequestsPerNode,
 * requestsByVerb, coordinatorRssMiB, coordinatorCpuMs, simCpuMs, apiServerRequestsPerSec, migrated, halted}]}`.
 * - overheadMsPerNode: wall time × concurrency / nodes, the slot time each node costs when its own work
 *   takes no time;
 * - simCpuMs: the CPU time the simulated cluster's process (API server, kubelets, controllers and every agent)
 *   spent during the rollout;
 * - requestsByVerb: the coordinator's and the agents' requests per migrated node, by verb and resource;
 *   requestsByCaller: the same, split into the coordinator's and the agents';
 * - simRequestsPerNode: the simulated cluster's own requests (kubelets, controllers) per migrated node, by
 *   verb and resource: the load the API server carries besides the tool's.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { z } from 'zod';
import type { RequestCount } from '../../sim/apiserver/index.js';
import { apiRequestsPerNode, requestsByCaller, requestsByVerb, toolRequests } from '../../sim/demo/summary.js';
import { Child } from './migrate/child.js';
import { BenchCoordinator } from './migrate/coordinator-process.js';
import type { CoordinatorUsage, RolloutDone, RunSpec } from './migrate/protocol.js';

const here = path.dirname(fileURLToPath(import.meta.url));
/** The repository's deploy/ (the nearest one above this file: dist/ trees nest at different depths). */
function findDeployDir(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'deploy', 'kustomization.yaml'))) return path.join(dir, 'deploy');
    if (path.dirname(dir) === dir) throw new Error(`no deploy/kustomization.yaml above ${from}`);
  }
}
const deployDir = findDeployDir(here);

const listOf = (max: number) =>
  z
    .string()
    .transform((s) => s.split(',').map((x) => Number(x.trim())))
    .pipe(z.array(z.number().int().min(1).max(max)).min(1));

const OptionsSchema = z.strictObject({
  nodes: listOf(5000),
  concurrency: listOf(50),
  json: z.boolean().default(false),
  rolloutSeconds: z.coerce.number().int().min(1).optional(),
});

export interface BenchResult {
  nodes: number;
  concurrency: number;
  migrated: number;
  halted: string | null;
  wallMs: number;
  overheadMsPerNode: number;
  handoffMs: { p50: number; p99: number } | null;
  apiRequestsPerNode: number | null;
  requestsByVerb: Record<string, number>;
  requestsByCaller: Record<string, Record<string, number>>;
  coordinatorRssMiB: number;
  coordinatorHeapMiB: number;
  coordinatorCpuMs: number;
  simCpuMs: number;
  apiServerRequestsPerSec: number;
  simRequestsPerNode: Record<string, number>;
  phaseMs: Record<string, number>;
}

/** The requests of every caller that is not the tool (kubelets, controllers), per migrated node, by verb and resource. */
function simRequestsPerNode(counts: readonly RequestCount[], migrated: number): Record<string, number> {
  const tool = new Set(toolRequests([...counts]));
  const out: Record<string, number> = {};
  for (const c of counts) {
    if (tool.has(c)) continue;
    const key = `${c.verb} ${c.resource}${c.subresource ? `/${c.subresource}` : ''}`;
    out[key] = (out[key] ?? 0) + c.count;
  }
  return Object.fromEntries(Object.entries(out).sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, Math.round((v / migrated) * 100) / 100]));
}

function resultOf(spec: RunSpec, done: RolloutDone, usage: CoordinatorUsage): BenchResult {
  const per = done.migrated || 1;
  return {
    nodes: done.nodes,
    concurrency: spec.concurrency,
    migrated: done.migrated,
    halted: done.halted,
    wallMs: done.wallMs,
    overheadMsPerNode: Math.round(((done.wallMs * spec.concurrency) / done.nodes) * 10) / 10,
    handoffMs: done.handoffMs && { p50: Math.round(done.handoffMs.p50 * 10) / 10, p99: Math.round(done.handoffMs.p99 * 10) / 10 },
    apiRequestsPerNode: apiRequestsPerNode(done.requests, done.evictedPods, done.migrated),
    requestsByVerb: requestsByVerb(done.requests, per),
    requestsByCaller: requestsByCaller(done.requests, per),
    coordinatorRssMiB: usage.peakRssMiB,
    coordinatorHeapMiB: usage.heapUsedMiB,
    coordinatorCpuMs: usage.cpuMs,
    simCpuMs: done.simCpuMs,
    apiServerRequestsPerSec: done.apiServerRequestsPerSec,
    simRequestsPerNode: simRequestsPerNode(done.requests, per),
    phaseMs: done.phaseMs,
  };
}

async function runOne(spec: RunSpec): Promise<BenchResult> {
  const sim = new Child(path.join(here, 'migrate', 'sim-side.js'));
  let coordinator: BenchCoordinator | undefined;
  try {
    const setupMs = 120_000 + spec.nodes * 100;
    const ready = await sim.ask({ kind: 'start', spec }, 'cluster-ready', setupMs);
    coordinator = await BenchCoordinator.start(spec.deployDir, ready.server, ready.coordinatorToken, setupMs);
    const done = await sim.ask({ kind: 'rollout' }, 'rollout-done', setupMs + spec.rolloutDeadlineMs + 60_000);
    const usage = await coordinator.usage();
    return resultOf(spec, done, usage);
  } finally {
    await coordinator?.stop();
    await sim.stop();
  }
}

/** The rollout's deadline: as asked, else 0.2 s a node (at least 120 s). */
const rolloutDeadlineMs = (nodes: number, seconds: number | undefined): number => (seconds !== undefined ? seconds * 1000 : Math.max(120_000, nodes * 200));

async function runBench(opts: z.infer<typeof OptionsSchema>): Promise<void> {
  const results: BenchResult[] = [];
  for (const nodes of opts.nodes) {
    for (const concurrency of opts.concurrency) {
      const r = await runOne({ nodes, concurrency, deployDir, rolloutDeadlineMs: rolloutDeadlineMs(nodes, opts.rolloutSeconds) });
      results.push(r);
      const line = `nodes ${r.nodes} concurrency ${r.concurrency}: migrated ${r.migrated} in ${r.wallMs} ms; hand-off p50 ${r.handoffMs?.p50 ?? '-'} ms p99 ${r.handoffMs?.p99 ?? '-'} ms; ${r.apiRequestsPerNode ?? 'n/a'} requests/node; coordinator ${r.coordinatorRssMiB} MiB, ${r.coordinatorCpuMs} ms CPU; simulated cluster ${r.simCpuMs} ms CPU\n`;
      (opts.json ? process.stderr : process.stdout).write(line);
    }
  }
  if (opts.json) process.stdout.write(`${JSON.stringify({ results })}\n`);
}

const program = new Command('bench:migrate')
  .option('--nodes <list>', 'cluster sizes, comma-separated', '1000')
  .option('--concurrency <list>', 'concurrencies, comma-separated', '20')
  .option('--json', 'print only the JSON result (progress goes to stderr)')
  .option('--rollout-seconds <n>', 'end each rollout after this long with what it migrated (default: 0.2 s a node, at least 120 s)')
  .action(async (raw: Record<string, unknown>) => {
    const parsed = OptionsSchema.safeParse(raw);
    if (!parsed.success) throw new Error(parsed.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('; '));
    await runBench(parsed.data);
  });

program.parseAsync(process.argv).then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`bench:migrate failed: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
