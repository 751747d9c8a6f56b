import { describe, it, expect } from '@jest/globals';
import type { CommandRunner, RunOptions } from '../../../agent/host/exec.js';
import { HostCommandError } from '../../../shared/errors.js';
import { createLogger } from '../../../shared/logger.js';
import { applyTablePlans } from '../../../agent/host/iptables/apply.js';
import { planTarget, type TablePlan } from '../../../agent/host/iptables/plan.js';

const TARGET = { backend: 'nft', family: 'ipv4' } as const;
const BEFORE = `*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:cali-INPUT - [0:0]
-A INPUT -m comment --comment "cali:aaaaaaaaaaaaaaaa" -j cali-INPUT
-A FORWARD -m comment --comment "cali:bbbbbbbbbbbbbbbb" -j ACCEPT
-A cali-INPUT -j ACCEPT
COMMIT
*nat
:POSTROUTING ACCEPT [0:0]
:cali-POSTROUTING - [0:0]
-A POSTROUTING -m comment --comment "cali:cccccccccccccccc" -j cali-POSTROUTING
COMMIT
`;
/** The same node after someone removed the FORWARD append between plan and apply. */
const MOVED_ON = BEFORE.replace(/-A FORWARD .*\n/, '');

function planOf(text: string): TablePlan[] {
  return planTarget(TARGET, text).tables;
}

interface Scripted {
  run: CommandRunner;
  restores: string[];
}

/** A runner whose restores exit with the scripted codes in turn, and whose save prints `saved`. */
function scriptedRunner(exitCodes: number[], saved: string): Scripted {
  const restores: string[] = [];
  const run: CommandRunner = async (argv, opts?: RunOptions) => {
    if (argv[0]?.endsWith('-save')) return { exitCode: 0, stdout: saved, stderr: '' };
    restores.push(opts?.input ?? '');
    const exitCode = exitCodes.shift() ?? 0;
    if (exitCode !== 0 && !opts?.allowFailure) throw new HostCommandError(argv, exitCode, 'Bad rule');
    return { exitCode, stdout: '', stderr: exitCode === 0 ? '' : 'Bad rule' };
  };
  return { run, restores };
}

describe('applyTablePlans', () => {
  it('when every transaction succeeds, then each table is applied once and the counts add up', async () => {
    const { run, restores } = scriptedRunner([], BEFORE);
    const result = await applyTablePlans(run, planOf(BEFORE));
    expect(restores).toHaveLength(2);
    expect(result).toEqual({ tablesApplied: 2, rulesRemoved: 4, chainsRemoved: 2, tablesReplanned: 0 });
  });

  it('when a Calico rule vanished before the transaction, then that table is planned afresh and retried once', async () => {
    const { run, restores } = scriptedRunner([1, 0, 0], MOVED_ON);
    const result = await applyTablePlans(run, planOf(BEFORE));
    expect(restores).toHaveLength(3);
    expect(restores[0]).toContain('-D FORWARD');
    expect(restores[1]).not.toContain('-D FORWARD');
    expect(restores[1]).toContain('-X cali-INPUT');
    expect(result).toEqual({ tablesApplied: 2, rulesRemoved: 3, chainsRemoved: 2, tablesReplanned: 1 });
  });

  it('when a table is planned afresh, then a warning names the binary, the table and the restore\'s complaint', async () => {
    const lines: string[] = [];
    const log = createLogger({ component: 'test', level: 'info', destination: { write: (l: string) => lines.push(l) } });
    const { run } = scriptedRunner([1, 0, 0], MOVED_ON);
    await applyTablePlans(run, planOf(BEFORE), { log });
    const warnings = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l['level'] === 'warn');
    expect(warnings).toEqual([
      expect.objectContaining({ binary: 'iptables-nft', table: 'filter', stderr: 'Bad rule' }),
    ]);
  });

  it('when the fresh plan finds the table already clean, then it is not retried and counts nothing', async () => {
    const clean = '*filter\n:INPUT ACCEPT [0:0]\nCOMMIT\n*nat\n:POSTROUTING ACCEPT [0:0]\nCOMMIT\n';
    const { run, restores } = scriptedRunner([1, 1], clean);
    const result = await applyTablePlans(run, planOf(BEFORE));
    expect(restores).toHaveLength(2);
    expect(result).toEqual({ tablesApplied: 0, rulesRemoved: 0, chainsRemoved: 0, tablesReplanned: 2 });
  });

  it('when the retry fails too, then it throws a HostCommandError and stops', async () => {
    const { run, restores } = scriptedRunner([1, 1], BEFORE);
    await expect(applyTablePlans(run, planOf(BEFORE))).rejects.toBeInstanceOf(HostCommandError);
    expect(restores).toHaveLength(2);
  });
});
