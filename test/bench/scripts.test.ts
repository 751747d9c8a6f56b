/**
 * Each benchmark script the README names, and `npm run chaos`, runs with the smallest arguments and prints its JSON document:
 * the figures come from these scripts, so a script that broke would go unnoticed until someone measured.
 */
import { beforeAll, describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { execa } from 'execa';
import { REPO_ROOT } from '../deploy/support/manifests.js';
import { buildBinaries } from '../bin/support/build-binaries.js';

let out = '';

beforeAll(async () => {
  out = await buildBinaries('bench-test', ['test/bench', 'test/chaos', 'test/support']);
}, 120_000);

/** Runs a built script and returns its last stdout line parsed (the JSON document). */
async function runScript(script: string, args: string[]): Promise<Record<string, unknown>> {
  const r = await execa('node', [join(out, 'test', script), ...args], { cwd: REPO_ROOT, reject: false });
  if (r.exitCode !== 0) throw new Error(`${script} exited ${r.exitCode}: ${r.stderr.slice(-2000)}`);
  const last = r.stdout.trim().split('\n').at(-1) ?? '';
  return JSON.parse(last) as Record<string, unknown>;
}

describe('benchmark and chaos scripts', () => {
  it('when npm run chaos runs a tiny rollout with two kills, then it prints the figures and no violation', async () => {
    const doc = await runScript('chaos/main.js', ['--nodes', '4', '--kills', '2', '--concurrency', '1', '--seed', '1', '--reboot-ms', '300', '--agent-backoff-max-ms', '1000', '--json']);
    expect(doc).toMatchObject({ nodes: 4, migrated: 4, kills: 2, violations: [] });
    for (const key of ['faultsInjected', 'wallMs', 'rolloutSlowdown']) expect(doc).toHaveProperty(key);
  });

  it('when bench:migrate runs a small cluster, then it prints a result per size with the figures the issue names', async () => {
    const doc = await runScript('bench/migrate.js', ['--nodes', '4', '--concurrency', '2', '--json']);
    expect(doc).toMatchObject({ results: [{ nodes: 4, concurrency: 2 }] });
    const [row] = doc.results as Record<string, unknown>[];
    for (const key of ['wallMs', 'overheadMsPerNode', 'handoffMs', 'apiRequestsPerNode', 'requestsByVerb', 'coordinatorRssMiB', 'coordinatorCpuMs', 'simCpuMs']) {
      expect(row).toHaveProperty(key);
    }
  });

  it('when bench:sim runs a small cluster, then it prints its rates', async () => {
    const doc = await runScript('bench/sim.js', ['--nodes', '20', '--pods', '200', '--watchers', '5', '--writes', '5', '--list-seconds', '1', '--http-sample', '50']);
    expect(doc).toMatchObject({ bench: 'sim', nodes: 20, pods: 200 });
  });

  it('when bench:gate runs a few long-polls with one token, then all are answered and one TokenReview is made', async () => {
    const doc = await runScript('bench/gate.js', ['--polls', '20', '--json']);
    expect(doc).toMatchObject({ polls: 20, statuses: { 200: 20 }, tokenReviews: 1 });
    expect(doc).toHaveProperty('healthzP50Ms');
  });

  it('when bench:cleanup runs one small size, then it prints a row that left what is not Calico\'s identical', async () => {
    const doc = await runScript('bench/cleanup.js', ['--sizes', '100', '--per-chain-max', '100', '--json']);
    expect(doc).toMatchObject({ results: [{ nonCalicoIdentical: true }] });
  });
});
