import { afterEach, describe, expect, it } from '@jest/globals';
import { readStageRecord, type StageRecord } from '../../../coordinator/core/stages/record.js';
import { Harness, workers } from './harness.js';
import { FakeStages } from './fake-stages.js';

const ALL = { promote: true, patchCiliumConfig: false, removeCalico: true, cleanNodes: true, rebootNodes: true, removeCrds: true };

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

async function setUp(): Promise<Harness> {
  const harness = new Harness(workers(3));
  const fake = new FakeStages(harness.cluster);
  harness.cluster.stageKube = fake.ports();
  harness.cluster.setMigration({ concurrency: 2, stages: ALL });
  await harness.startEngine();
  harness.startAgents();
  fake.helmUpgrade();
  h = harness;
  return harness;
}

const stageOf = (harness: Harness): StageRecord | undefined => readStageRecord(harness.cluster.migrationStatus()['stage']);
/** Where the reboot round is: the stage step and each node's state and step. */
const where = (r: StageRecord): string => `${r.stage}/${r.step}/${r.nodes.map((e) => `${e.name}:${e.state}:${e.phase ?? ''}`).join(',')}`;

describe('the second rolling reboot (spec.stages.rebootNodes)', () => {
  it('When enabled, then every node is rebooted once more (cordoned, then uncordoned), each recorded by boot id, and the run ends Complete', async () => {
    const h = await setUp();
    await h.waitFor(() => stageOf(h)?.stage === 'Complete', 60_000, 'Complete');
    expect(stageOf(h)?.times.map((t) => t.name)).toEqual(['Promote', 'RemoveCalico', 'CleanNodes', 'RebootNodes', 'RemoveCrds']);
    // One reboot in the per-node rollout, one in the stage.
    expect(Object.fromEntries(h.cluster.reboots)).toEqual({ w1: 2, w2: 2, w3: 2 });
    for (const n of ['w1', 'w2', 'w3']) expect(h.cluster.nodes.items.get(n)?.spec?.unschedulable).toBeFalsy();
  }, 60_000);

  it('When the coordinator is killed at every step of every node in the reboot round, then each node is rebooted exactly once more', async () => {
    const h = await setUp();
    const seen = new Set<string>();
    for (;;) {
      await h.waitFor(() => {
        const r = stageOf(h);
        return r !== undefined && (r.stage === 'Complete' || (r.stage === 'RebootNodes' && !seen.has(where(r))));
      }, 30_000, 'the next step of the reboot round');
      const r = stageOf(h) as StageRecord;
      if (r.stage === 'Complete') break;
      seen.add(where(r));
      h.engine?.crash();
      await h.restartEngine();
    }
    // Killed with a node recorded as Rebooting (its boot id written, the order about to go or gone) at least once.
    expect([...seen].some((s) => s.includes(':Running:Rebooting'))).toBe(true);
    expect(seen.size).toBeGreaterThanOrEqual(8);
    expect(Object.fromEntries(h.cluster.reboots)).toEqual({ w1: 2, w2: 2, w3: 2 });
    expect(stageOf(h)?.times.find((t) => t.name === 'RebootNodes')?.finishedAt).toBeDefined();
  }, 120_000);
});
