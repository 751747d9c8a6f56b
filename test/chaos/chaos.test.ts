/**
 * A short chaos run in the suite: 8 nodes, the real coordinator binary in two processes SIGKILLed 10 times
 * (some while starting), judged through the API only. Heavier runs: `npm run chaos`.
 */
import { describe, expect, it } from '@jest/globals';
import path from 'node:path';
import { silentLogger } from '../../shared/logger.js';
import { buildBinaries } from '../bin/support/build-binaries.js';
import { runChaos } from './run-chaos.js';

describe('chaos', () => {
  // Agents here retry at least each second (their default backoff grows to 15 s, which this short run cannot absorb).
  it('when the coordinator processes are killed 10 times during an 8-node rollout, then every node migrates once with no invariant broken', async () => {
    const out = await buildBinaries('chaos-test');
    const run = await runChaos({
      nodes: 8,
      kills: 10,
      concurrency: 2,
      seed: 3,
      apiFaults: 0,
      lostResponses: 0,
      coordinatorMain: path.join(out, 'coordinator', 'main.js'),
      rebootMs: 300,
      killWindowMs: 6000,
      agentBackoffMaxMs: 1000,
      log: silentLogger(),
    });
    expect(run.violations).toEqual([]);
    expect(run).toMatchObject({ nodes: 8, migrated: 8, kills: 10, halted: null });
    expect(run.startupKills).toBeGreaterThan(0);
  }, 240_000);
});
