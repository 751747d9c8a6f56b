/**
 * The demo as a user runs it: `--json` prints exactly one JSON document on stdout (the people's view goes to
 * stderr) and exits 0 when the scenario ends as it should; `--scenario pdb-blocked --then retry` lifts the
 * block, retries the halted node, and every node ends migrated.
 */
import { beforeAll, describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { execa } from 'execa';
import { buildBinaries } from '../bin/support/build-binaries.js';
import { FAST_DEADLINES, LOAD_PROOF_DEADLINES, runRollout } from './support.js';

let demoMain = '';

beforeAll(async () => {
  demoMain = join(await buildBinaries('demo-cli-test'), 'sim', 'demo', 'main.js');
});

describe('the demo command line', () => {
  it('when run with --json, then stdout is one JSON document saying ok, and the summary words are on stderr', async () => {
    const r = await execa(process.execPath, [demoMain, '--json', '--nodes', '3'], { reject: false, timeout: 120_000 });
    expect(r.exitCode).toBe(0);
    const doc = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(doc).toMatchObject({ scenario: 'happy', ok: true, nodes: 3, migrated: 3, halted: null, then: null });
    // README: `npm run demo -- --json | jq .probe.zeroDowntime` prints true.
    // Which pairings were probed depends on how the hand-offs fell in time; every one that was lost nothing.
    const probe = doc.probe as { zeroDowntime: boolean; pairings: Record<string, { samples: number; lost: number }> };
    expect(probe.zeroDowntime).toBe(true);
    const pairings = Object.values(probe.pairings);
    expect(pairings.reduce((n, p) => n + p.samples, 0)).toBeGreaterThan(0);
    expect(pairings.filter((p) => p.lost !== 0)).toEqual([]);
    expect(r.stderr).toContain('scenario happy: every node migrated (as expected)');
  });

  it('when the flags are bad, then it exits 2 with one line and starts nothing', async () => {
    const r = await execa(process.execPath, [demoMain, '--then', 'retry'], { reject: false, timeout: 30_000 });
    expect(r.exitCode).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([
      'demo: invalid demo flags:',
      '  --then: retry applies to the scenarios whose fault the demo can lift: pdb-blocked, dns-broken-on-node',
    ]);
    expect(r.stdout).toBe('');
  });
});

/**
 * The broken node halts on its failed check, not on a deadline: only validation keeps a short one (its checks
 * time out at a quarter of it), and the steps every node must pass get the load-proof ones (a 3 s drain halted
 * a loaded run).
 */
const RETRY_DEADLINES = { ...LOAD_PROOF_DEADLINES, validateTimeoutSeconds: FAST_DEADLINES.validateTimeoutSeconds };

describe('after a halt, the operator retries', () => {
  it('when the PDB block is lifted, then pre-flight passes on its next check and every node is migrated', async () => {
    const { summary, ok } = await runRollout({ nodes: 3, scenario: 'pdb-blocked', then: 'retry' }, { coordinator: RETRY_DEADLINES });
    expect(summary).toMatchObject({ ok: true, halted: null, then: { request: 'retry', node: null }, migrated: 3, nodes: 3 });
    expect(ok).toBe(true);
  });

  it('when DNS is fixed on the halted node and it is retried, then every node is migrated', async () => {
    const { summary } = await runRollout({ nodes: 3, scenario: 'dns-broken-on-node', then: 'retry' }, { coordinator: RETRY_DEADLINES });
    expect(summary).toMatchObject({ ok: true, halted: null, then: { request: 'retry', node: 'sim-worker-1' }, migrated: 3 });
  });
});
