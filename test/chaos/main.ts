/**
 * `npm run chaos -- --nodes N --kills K --concurrency C --seed S [--api-faults RATE] [--lost-responses RATE] --json`
 * Runs the rollout twice with the same seed: without kills (the baseline), then with K SIGKILLs of the
 * coordinator's processes spread over the baseline's duration. Prints one JSON document (last line) and
 * exits 1 when any invariant broke.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { z } from 'zod';
import { ConfigError } from '../../shared/errors.js';
import { exitCodeFor } from '../../shared/exit.js';
import { pino } from 'pino';
import { createLogger, type Logger } from '../../shared/logger.js';
import { runChaos } from './run-chaos.js';

/** The coordinator binary built beside this script (`dist/test/chaos/main.js` → `dist/coordinator/main.js`). */
const COORDINATOR_MAIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'coordinator', 'main.js');

const rate = (flag: string) => z.coerce.number({ error: `${flag} must be a number` }).min(0, `${flag} must be in 0..1`).max(1, `${flag} must be in 0..1`);
const count = (flag: string, min: number, max: number) => z.coerce.number({ error: `${flag} must be a number` }).int().min(min).max(max);

const FlagsSchema = z.strictObject({
  nodes: count('--nodes', 2, 500).default(8),
  kills: count('--kills', 0, 10_000).default(10),
  concurrency: count('--concurrency', 1, 50).default(1),
  seed: count('--seed', 0, 2 ** 31 - 1).default(1),
  apiFaults: rate('--api-faults').default(0),
  lostResponses: rate('--lost-responses').default(0),
  rebootMs: count('--reboot-ms', 0, 600_000).default(4000),
  agentBackoffMaxMs: count('--agent-backoff-max-ms', 100, 600_000).optional(),
  logDir: z.string().optional(),
  json: z.boolean().default(false),
});

async function main(): Promise<void> {
  const program = new Command('chaos')
    .option('--nodes <n>')
    .option('--kills <k>')
    .option('--concurrency <c>')
    .option('--seed <s>')
    .option('--api-faults <rate>')
    .option('--lost-responses <rate>')
    .option('--reboot-ms <ms>', 'how long a simulated reboot keeps a node down')
    .option('--agent-backoff-max-ms <ms>', "cap of the agents' backoff (default: the agent's own, 15 s)")
    .option('--log-dir <dir>', "keep the coordinator processes' logs here (<dir>/baseline and <dir>/kills, one file per pod name)")
    .option('--json')
    .exitOverride();
  program.parse(process.argv);
  const parsed = FlagsSchema.safeParse(program.opts());
  if (!parsed.success) throw new ConfigError(`invalid flags: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
  const f = parsed.data;
  const common = { ...f, coordinatorMain: COORDINATOR_MAIN, log: createLogger({ component: 'chaos', level: 'silent' }) };
  /** With --log-dir: the run's own log and the coordinator processes' logs in `<dir>/<run>`. */
  const logDir = (run: string): { logDir?: string; log?: Logger } => {
    if (f.logDir === undefined) return {};
    const dir = path.resolve(f.logDir, run);
    mkdirSync(dir, { recursive: true });
    return { logDir: dir, log: createLogger({ component: 'chaos', level: 'info', destination: pino.destination({ dest: path.join(dir, 'chaos.log'), sync: true }) }) };
  };
  const baseline = await runChaos({ ...common, kills: 0, killWindowMs: 0, ...logDir('baseline') });
  const run = await runChaos({ ...common, killWindowMs: Math.round(baseline.wallMs * 0.9), ...logDir('kills') });
  const violations = [...run.violations, ...baseline.violations.map((v) => `without kills: ${v}`)];
  const summary = {
    nodes: run.nodes,
    migrated: run.migrated,
    kills: run.kills,
    startupKills: run.startupKills,
    faultsInjected: run.faultsInjected,
    violations,
    wallMs: run.wallMs,
    baselineWallMs: baseline.wallMs,
    rolloutSlowdown: Math.round((run.wallMs / baseline.wallMs - 1) * 1000) / 1000,
    ...run.failover,
    coordinatorExits: [...run.coordinatorExits, ...baseline.coordinatorExits.map((e) => `without kills: ${e}`)],
  };
  process.stdout.write(f.json ? `${JSON.stringify(summary)}\n` : `${JSON.stringify(summary, null, 2)}\n`);
  if (violations.length > 0) process.exitCode = 1;
}

main().catch((e: unknown) => {
  const { code, message } = exitCodeFor(e);
  process.stderr.write(`chaos: ${message}\n`);
  process.exit(code);
});
