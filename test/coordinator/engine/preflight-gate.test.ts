import { describe, expect, it } from '@jest/globals';
import { parseMigrationSpec } from '../../../coordinator/core/migration-spec.js';
import type { RawClusterObjects } from '../../../coordinator/core/facts/index.js';
import { PreflightGate } from '../../../coordinator/engine/preflight-gate.js';
import type { MigrationSpec } from '../../../coordinator/core/migration-spec.js';
import { PreflightStatusSchema } from '../../../coordinator/core/preflight/record.js';
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

describe('pre-flight gate when a read fails', () => {
  it('when a read of the cluster fails once, then the check runs again after a short backoff, not after the blocked cluster\'s recheck period', async () => {
    const parsed = parseMigrationSpec({});
    if (!parsed.ok) throw new Error(parsed.error);
    const spec = parsed.spec;
    let reads = 0;
    const gate: PreflightGate = new PreflightGate({
      reads: {
        clusterObjects: async (): Promise<RawClusterObjects> => {
          reads += 1;
          if (reads === 1) throw new Error('the connection was cut');
          return seedLikeCluster();
        },
        runningPods: async () => [],
        pdbs: async () => [],
      },
      log: silentLogger(),
      now: () => new Date(),
      wake: () => gate.consider(spec, new Set()),
      cidrsChanged: () => undefined,
      // A blocked cluster is checked again after an hour: a read failure must not wait that long.
      recheckMs: 3_600_000,
    });
    gate.consider(spec, new Set());
    await waitFor('the check after the failed read passing', () => gate.gate() === undefined, { timeoutMs: 30_000 });
    expect(reads).toBe(2);
    gate.stop();
  });

  it('when the running pods or the budgets answer 503 once, then the same check reads them again and passes', async () => {
    const parsed = parseMigrationSpec({});
    if (!parsed.ok) throw new Error(parsed.error);
    const unavailable = (): Error => Object.assign(new Error('HTTP-Code: 503'), { code: 503 });
    let podReads = 0;
    let pdbReads = 0;
    let checks = 0;
    const gate = new PreflightGate({
      reads: {
        clusterObjects: async () => seedLikeCluster(),
        runningPods: async () => {
          podReads += 1;
          if (podReads === 1) throw unavailable();
          return [];
        },
        pdbs: async () => {
          pdbReads += 1;
          if (pdbReads === 1) throw unavailable();
          return [];
        },
      },
      log: silentLogger(),
      now: () => new Date(),
      wake: () => (checks += 1),
      cidrsChanged: () => undefined,
      recheckMs: 3_600_000,
    });
    gate.consider(parsed.spec, new Set());
    await waitFor('the check to finish', () => checks === 1, { timeoutMs: 30_000 });
    expect(gate.status()).toMatchObject({ passed: true });
    expect([podReads, pdbReads]).toEqual([2, 2]);
    gate.stop();
  });
});

describe('pre-flight gate of a new leader', () => {
  const specOf = (raw: unknown) => {
    const parsed = parseMigrationSpec(raw);
    if (!parsed.ok) throw new Error(parsed.error);
    return parsed.spec;
  };
  /** A gate whose reads of the cluster wait until released; what the last leader recorded comes from `first`. */
  const newLeaderGate = async (recordedFor: MigrationSpec, spec: MigrationSpec) => {
    const first = new PreflightGate({
      reads: { clusterObjects: async () => seedLikeCluster(), runningPods: async () => [], pdbs: async () => [] },
      log: silentLogger(),
      now: () => new Date(),
      wake: () => undefined,
      cidrsChanged: () => undefined,
    });
    first.consider(recordedFor, new Set());
    const recorded = await waitFor('the last leader\'s check', () => first.status());
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    let cidrsChanged = 0;
    const gate = new PreflightGate({
      reads: { clusterObjects: async () => held.then(() => seedLikeCluster()), runningPods: async () => [], pdbs: async () => [] },
      log: silentLogger(),
      now: () => new Date(),
      wake: () => undefined,
      cidrsChanged: () => (cidrsChanged += 1),
    });
    gate.consider(spec, new Set(), PreflightStatusSchema.parse(JSON.parse(JSON.stringify(recorded))));
    return { gate, release, cidrsChanged: () => cidrsChanged };
  };

  it('when the last leader recorded a passed check of the same spec, then the gate is open and the CIDRs known while its own check still reads the cluster', async () => {
    const spec = specOf({ concurrency: 3 });
    const { gate, release, cidrsChanged } = await newLeaderGate(spec, spec);
    expect(gate.gate()).toBeUndefined();
    expect(gate.cidrs()).toEqual({ forward: '10.245.0.0/16', rollback: '10.244.0.0/16' });
    expect(cidrsChanged()).toBe(1);
    release();
    await waitFor('its own check', () => gate.status()?.checkedAt !== undefined && cidrsChanged() === 1 && gate.gate() === undefined);
    gate.stop();
  });

  it('when the recorded check was of another spec, then the gate holds until its own check passed', async () => {
    const { gate, release, cidrsChanged } = await newLeaderGate(specOf({ concurrency: 3 }), specOf({ concurrency: 2 }));
    expect(gate.gate()).toMatchObject({ name: 'pre-flight' });
    expect(gate.cidrs()).toBeUndefined();
    release();
    await waitFor('its own check passing', () => gate.gate() === undefined);
    expect(cidrsChanged()).toBe(1);
    gate.stop();
  });
});

