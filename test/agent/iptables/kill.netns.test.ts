/**
 * Kill test: SIGKILL the cleanup at random points, 30 times, and check that every table is either untouched
 * or clean of Calico, and that a re-run finishes the job. Half the kills hit a bare `iptables-restore`
 * transaction after a random delay; half hit a separate node process running the whole cleanup, at a random
 * table boundary (plus a little jitter, so some land mid-transaction).
 */
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { access, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createCommandRunner } from '../../../agent/host/exec.js';
import { iptablesRestoreArgv, type IptablesTarget } from '../../../agent/host/commands/iptables.js';
import { applyIptablesPlan, planIptablesCleanup, type IptablesPlan } from '../../../agent/host/iptables/index.js';
import { createNetns, netnsExecArgv, type Netns } from '../../support/netns.js';
import { generateFelixFixture } from '../../support/felix-fixture.js';
import { loadFixture, loadTables, snapshot, withoutCalico, type Snapshot } from '../../support/iptables-snapshot.js';
import { waitFor } from '../../support/wait-for.js';

const ITERATIONS = 30;
const FIXTURE = generateFelixFixture({ calicoRules: 60, seed: 5 });
const REPO = resolve(import.meta.dirname, '../../..');
/** How long a killed process group may take to be gone (a loaded machine reaps slowly). */
const DEADLINE_MS = 60_000;
/** Generous: the compile and the iterations spawn hundreds of processes, and CI may share the cores. */
const COMPILE_DEADLINE_MS = 300_000;
/** Both backends and both families, in two targets to keep 50 iterations fast. */
const KILL_TARGETS: IptablesTarget[] = [
  { backend: 'legacy', family: 'ipv4' },
  { backend: 'nft', family: 'ipv6' },
];

let ns: Netns;
let buildDir: string;
let childScript: string;

/** Compile the child script (and only what it imports) into a scratch directory that sees our node_modules. */
async function compileChild(): Promise<void> {
  buildDir = await mkdtemp(join(tmpdir(), 'ipt-kill-'));
  await writeFile(join(buildDir, 'package.json'), '{"type":"module"}\n');
  await symlink(join(REPO, 'node_modules'), join(buildDir, 'node_modules'));
  const tsc = join(REPO, 'node_modules', 'typescript', 'bin', 'tsc');
  const args = ['--outDir', buildDir, '--rootDir', REPO, '--module', 'nodenext', '--moduleResolution', 'nodenext',
    '--target', 'es2022', '--skipLibCheck', '--types', 'node', '--strict', '--esModuleInterop',
    join(REPO, 'test/agent/iptables/kill-child.ts')];
  // tsc emits even when someone else's work in progress has type errors; only a missing output is fatal.
  const res = await createCommandRunner()([process.execPath, tsc, ...args], { timeoutMs: COMPILE_DEADLINE_MS, allowFailure: true });
  childScript = join(buildDir, 'test/agent/iptables/kill-child.js');
  await access(childScript).catch(() => {
    throw new Error(`could not compile the kill child: ${res.stdout}${res.stderr}`);
  });
}

beforeAll(async () => {
  ns = await createNetns('iptkill');
  await compileChild();
}, COMPILE_DEADLINE_MS + 30_000);

afterAll(async () => {
  await ns.destroy();
  await rm(buildDir, { recursive: true, force: true });
});

/** Any live (non-zombie) process left in the group. */
async function groupAlive(pgid: number): Promise<boolean> {
  const alive = await Promise.all(
    (await readdir('/proc')).filter((p) => /^\d+$/.test(p)).map(async (pid) => {
      const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return fields[0] !== 'Z' && fields[2] === String(pgid);
    }),
  );
  return alive.includes(true);
}

async function killGroup(child: ChildProcess): Promise<void> {
  const pid = child.pid;
  if (pid === undefined) throw new Error('child did not start');
  const exited = child.exitCode === null && child.signalCode === null ? once(child, 'exit') : Promise.resolve();
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // The group already finished on its own.
  }
  await exited;
  await waitFor(`process group ${pid} gone`, async () => !(await groupAlive(pid)), { timeoutMs: DEADLINE_MS, intervalMs: 5 });
}

const randomInt = (max: number): number => Math.floor(Math.random() * (max + 1));

/** Kill one bare `iptables-restore --noflush` transaction after 0–6 ms. */
async function killBareTransaction(plan: IptablesPlan): Promise<void> {
  const table = plan.tables[randomInt(plan.tables.length - 1)];
  if (table === undefined) throw new Error('nothing planned');
  const [file, ...args] = netnsExecArgv(ns.name, iptablesRestoreArgv(table.target));
  const child = spawn(file ?? 'ip', args, { detached: true, stdio: ['pipe', 'ignore', 'ignore'] });
  child.stdin?.on('error', () => undefined);
  child.stdin?.end(table.payload);
  await new Promise((r) => setTimeout(r, randomInt(6)));
  await killGroup(child);
}

/** Kill the node process running the whole cleanup once it reports `tablesBeforeKill` tables applied. */
async function killCleanupProcess(tablesBeforeKill: number): Promise<void> {
  const [file, ...args] = netnsExecArgv(ns.name, [process.execPath, childScript]);
  const child = spawn(file ?? 'ip', args, { detached: true, stdio: ['ignore', 'pipe', 'ignore'] });
  let applied = 0;
  await new Promise<void>((done) => {
    const maybeKill = (): void => {
      if (applied >= tablesBeforeKill) setTimeout(done, randomInt(3));
    };
    child.stdout?.on('data', (chunk: Buffer) => {
      applied += chunk.toString().split('removed Calico iptables state from table').length - 1;
      maybeKill();
    });
    child.on('exit', () => done());
    maybeKill();
  });
  await killGroup(child);
}

type Outcome = 'untouched' | 'partial' | 'clean';

/** Each table must equal its state before, or its clean state; returns which. */
function judge(before: Snapshot, clean: Snapshot, after: Snapshot): Outcome {
  expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
  let cleaned = 0;
  let untouched = 0;
  for (const [key, lines] of after) {
    const wasClean = JSON.stringify(lines) === JSON.stringify(clean.get(key));
    const wasBefore = JSON.stringify(lines) === JSON.stringify(before.get(key));
    if (!wasClean && !wasBefore) throw new Error(`table ${key} is half-cleaned:\n${lines.join('\n')}`);
    if (wasClean && !wasBefore) cleaned++;
    if (wasBefore && !wasClean) untouched++;
  }
  if (untouched === 0) return 'clean';
  return cleaned === 0 ? 'untouched' : 'partial';
}

describe('iptables cleanup killed at random points', () => {
  it(`when the cleanup is SIGKILLed ${ITERATIONS} times, then every table is untouched or clean and a re-run finishes`, async () => {
    const outcomes: Record<Outcome, number> = { untouched: 0, partial: 0, clean: 0 };
    // The fixture is deterministic, so every reload yields the same tables and the same plan.
    await loadFixture(ns.run, FIXTURE, KILL_TARGETS);
    const before = await snapshot(ns.run, KILL_TARGETS);
    const clean = withoutCalico(before);
    const freshPlan = await planIptablesCleanup(ns.run, { procRoot: ns.procRoot });
    expect(freshPlan.tables).toHaveLength(8);
    for (let i = 0; i < ITERATIONS; i++) {
      await loadTables(ns.run, FIXTURE, KILL_TARGETS);
      if (i % 2 === 0) await killBareTransaction(freshPlan);
      else await killCleanupProcess(randomInt(freshPlan.tables.length));
      outcomes[judge(before, clean, await snapshot(ns.run, KILL_TARGETS))]++;
      await applyIptablesPlan(ns.run, await planIptablesCleanup(ns.run, { procRoot: ns.procRoot }));
      expect(await snapshot(ns.run, KILL_TARGETS)).toEqual(clean);
    }
    expect(outcomes.untouched + outcomes.partial + outcomes.clean).toBe(ITERATIONS);
    // Some kill must have landed between two tables (else the test proved nothing about atomicity per table).
    expect({ outcomes, someKillBetweenTables: outcomes.partial > 0 }).toMatchObject({ someKillBetweenTables: true });
  }, 600_000);
});
