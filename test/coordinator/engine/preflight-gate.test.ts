import { describe, expect, it } from '@jest/globals';
import { parseMigrationSpec } from '../../../coordinator/core/migration-spec.js';
import type { RawClusterObjects } from '../../../coordinator/core/facts/index.js';
import { PreflightGate } from '../../../coordinator/engine/preflight-gate.js';
import { silentLogger } from '../../../shared/logger.js';
import { seedLikeCluster } from '../../support/cluster-objects.js';
import { waitFor } from '../../support/wait-for.js';

describe('pre-flight gate across terms of leadership', () => {
  it('when the first check failed and leadership was lost and taken back in the same process, then a new check runs and the gate opens', async () => {
    const parsed = parseMigrationSpec({});
    if (!parsed.ok) throw new Error(parsed.error);
    let reads = 0;
    let cidrsChanged = 0;
    let checksFinished = 0;
    const gate = new PreflightGate({
      reads: {
        clusterObjects: async (): Promise<RawClusterObjects> => {
          reads += 1;
          if (reads === 1) throw new Error('the API server went away');
          return seedLikeCluster();
        },
        runningPods: async () => [],
        pdbs: async () => [],
      },
      log: silentLogger(),
      now: () => new Date(),
      wake: () => (checksFinished += 1),
      cidrsChanged: () => (cidrsChanged += 1),
    });
    gate.consider(parsed.spec, new Set());
    await waitFor('the first check failing', () => reads === 1 && gate.gate() !== undefined);
    gate.stop();
    gate.start();
    await waitFor('a check of the new term passing', () => {
      gate.consider(parsed.spec, new Set());
      return gate.gate() === undefined;
    });
    expect(gate.status()).toMatchObject({ passed: true });
    expect(cidrsChanged).toBe(1);
    gate.stop();
    gate.start();
    await waitFor('the next term\'s check', () => {
      gate.consider(parsed.spec, new Set());
      return reads === 3;
    });
    await waitFor('the check to finish', () => checksFinished === 3);
    expect(cidrsChanged).toBe(1);
  });
});
