import { afterEach, describe, expect, it } from '@jest/globals';
import { NodeAnnotation } from '../../../shared/names.js';
import { readStageRecord, type StageRecord } from '../../../coordinator/core/stages/record.js';
import { Harness, workers } from './harness.js';
import { FakeStages } from './fake-stages.js';
import { requestStageRetry } from '../../../coordinator/operator.js';

const ALL = { promote: true, patchCiliumConfig: false, removeCalico: true, cleanNodes: true, removeCrds: true };

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

async function setUp(stages: Partial<typeof ALL> = ALL): Promise<{ h: Harness; fake: FakeStages }> {
  const harness = new Harness(workers(3));
  const fake = new FakeStages(harness.cluster);
  harness.cluster.stageKube = fake.ports();
  harness.cluster.setMigration({ concurrency: 2, stages: { ...ALL, ...stages } });
  await harness.startEngine();
  harness.startAgents();
  h = harness;
  return { h: harness, fake };
}

const stageOf = (harness: Harness): StageRecord | undefined => readStageRecord(harness.cluster.migrationStatus()['stage']);
const at = (harness: Harness, where: string): boolean => {
  const r = stageOf(harness);
  return r !== undefined && `${r.stage}/${r.step}` === where;
};

describe('the cluster-level stages', () => {
  it('When every node is migrated and Helm-managed Cilium is promoted by hand, then the run ends Complete with each stage timed', async () => {
    const { h, fake } = await setUp();
    const gate = (): boolean => at(h, 'Promote/AwaitingPromotion') && stageOf(h)?.waitingFor !== undefined;
    await h.waitFor(() => gate() && h.cluster.migrationStatus()['phase'] === 'Promoting', 60_000, 'the promotion gate');
    expect(stageOf(h)?.waitingFor).toContain('set the promotion keys in kube-system/cilium-config');
    fake.helmUpgrade();
    await h.waitFor(() => at(h, 'Complete/Done'), 60_000, 'Complete');
    const r = stageOf(h);
    // The rollout's status is written at most once a second: its phase follows the stage record.
    await h.waitFor(() => h.cluster.migrationStatus()['phase'] === 'Completed', 60_000, 'status Completed');
    expect(r?.times.map((t) => t.name)).toEqual(['Promote', 'RemoveCalico', 'CleanNodes', 'RemoveCrds']);
    expect(r?.times.every((t) => t.finishedAt !== undefined)).toBe(true);
    expect(h.cluster.ciliumDaemonSetRestarts).toBe(1);
    expect(fake.nodeConfig).toBe(false);
    expect(fake.objects.size).toBe(0);
    expect(fake.crds).toEqual([]);
    expect(r?.crdsRemoved).toHaveLength(3);
    expect(r?.backup).toMatchObject({ objects: 2 });
    expect([...h.agents.cleanups.values()]).toEqual([1, 1, 1]);
    expect(h.cluster.nodes.items.get('w1')?.metadata?.annotations?.[NodeAnnotation.cleanupInventory]).toBe('found routes=2 ipsets=1; left 0');
    // The safe order: the APIServer, then the Installation (while the operator still runs), then the operator.
    const order = fake.deleted.map((k) => k.split('/').slice(-3).join('/'));
    expect(order.indexOf('apiservers//default')).toBeLessThan(order.indexOf('installations//default'));
    expect(order.indexOf('installations//default')).toBeLessThan(order.indexOf('deployments/tigera-operator/tigera-operator'));
  }, 30_000);

  it('When a stage is not enabled, then the coordinator stops before it and says which field enables it; enabling it continues', async () => {
    const { h, fake } = await setUp({ removeCalico: false, patchCiliumConfig: true });
    await h.waitFor(() => at(h, 'Promote/Done'), 60_000, 'Promote done');
    expect(fake.ciliumConfig['custom-cni-conf']).toBe('false');
    await h.waitFor(() => stageOf(h)?.waitingFor === 'spec.stages.removeCalico is not enabled', 60_000, 'the stop');
    // The rollout's status is written at most once a second: its phase follows the stage record.
    await h.waitFor(() => h.cluster.migrationStatus()['phase'] === 'Completed', 60_000, 'status Completed');
    h.cluster.setMigration({ concurrency: 2, stages: ALL });
    await h.waitFor(() => at(h, 'Complete/Done'), 60_000, 'Complete');
  }, 30_000);

  it('When the operator is gone before the Installation, then the stage halts naming the Installation and its finalizer; once it is back, retry --stage resumes the stage to Complete', async () => {
    const { h, fake } = await setUp();
    fake.helmUpgrade();
    fake.objects.delete('apps/v1/deployments/tigera-operator/tigera-operator');
    h.cluster.setMigration({ concurrency: 2, stages: { ...ALL, timeoutSeconds: 1 } });
    await h.waitFor(() => stageOf(h)?.haltReason !== undefined, 60_000, 'the halt');
    expect(stageOf(h)?.haltReason).toContain(
      'RemoveCalico halted in RemovingInstallation: not gone within 1s: Installation default still terminating (finalizers: tigera.io/operator-cleanup)',
    );
    await h.waitFor(() => h.cluster.migrationStatus()['phase'] === 'Halted', 60_000, 'phase Halted');
    // The operator brings the Tigera operator back, then asks for the stage's retry, as `cni-migrate retry --stage` does.
    fake.operatorReturns();
    h.cluster.setMigration({ concurrency: 2, stages: { ...ALL, timeoutSeconds: 60 } });
    const operator = { migration: h.cluster.ports().migration };
    expect(await requestStageRetry(operator)).toMatch(/^retry requested for stage RemoveCalico\/RemovingInstallation \(attempt 0 halted: /);
    expect(h.cluster.migrations.items.get('default')?.spec).toMatchObject({ stages: { timeoutSeconds: 60, retryAttempt: 0, cleanNodes: true } });
    await h.waitFor(() => at(h, 'Complete/Done'), 60_000, 'Complete after the retry');
    expect(stageOf(h)).toMatchObject({ attempt: 1 });
    expect(stageOf(h)?.haltReason).toBeUndefined();
    await expect(requestStageRetry(operator)).rejects.toThrow('stage Complete/Done is not halted: retry --stage applies to a halted stage');
  }, 30_000);
});

describe('a coordinator killed during the stages', () => {
  it('When the coordinator is killed at every stage step, then the run ends Complete, ds/cilium restarted once and each node cleaned once', async () => {
    const { h, fake } = await setUp();
    fake.helmUpgrade();
    const seen = new Set<string>();
    for (;;) {
      await h.waitFor(() => {
        const r = stageOf(h);
        return r !== undefined && !seen.has(`${r.stage}/${r.step}/${r.nodes.length}`);
      }, 15_000, 'the next stage step');
      const r = stageOf(h) as StageRecord;
      seen.add(`${r.stage}/${r.step}/${r.nodes.length}`);
      if (r.stage === 'Complete') break;
      h.engine?.crash();
      await h.restartEngine();
    }
    expect(seen.size).toBeGreaterThanOrEqual(10);
    expect(h.cluster.ciliumDaemonSetRestarts).toBe(1);
    expect([...h.agents.cleanups.values()]).toEqual([1, 1, 1]);
    expect(fake.objects.size).toBe(0);
  }, 60_000);
});
