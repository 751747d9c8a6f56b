import { describe, expect, it } from '@jest/globals';
import { decideStage, stageOrderId, type ClusterObservations } from '../../../../coordinator/core/stages/index.js';
import { refKey, removalPlan } from '../../../../coordinator/core/stages/calico-removal.js';
import type { StageRecord } from '../../../../coordinator/core/stages/record.js';
import { stageDurations } from '../../../../coordinator/core/stages/record.js';
import { allStages, at, clusterObs, record, stageSettings, T0 } from './fixtures.js';

const decide = (r: StageRecord | undefined, o: Partial<ClusterObservations> = {}, ms = 1000, spec = allStages) =>
  decideStage({ record: r, spec, obs: clusterObs(o), now: at(ms), settings: stageSettings });
const kinds = (d: { actions: { kind: string }[] }): string[] => d.actions.map((a) => a.kind);
const ok = (node: string, r: StageRecord, extra = {}) => [node, { orderId: stageOrderId(node, r), outcome: 'succeeded' as const, message: 'ok', ...extra }] as const;

describe('starting the stages', () => {
  it('When a node is not Done yet, then no stage starts', () => {
    expect(decide(undefined, { nodesMigrated: false }).record).toBeUndefined();
  });
  it('When every node is Done but promote is not enabled, then nothing starts', () => {
    expect(decide(undefined, {}, 1000, { ...allStages, promote: false }).changed).toBe(false);
  });
  it('When every node is Done and promote is enabled, then Promote starts at the gate, its start recorded', () => {
    const d = decide(undefined);
    expect(d.record).toMatchObject({ stage: 'Promote', step: 'AwaitingPromotion', times: [{ name: 'Promote', startedAt: at(1000).toISOString() }] });
    expect(d.changed).toBe(true);
  });
});

describe('Promote', () => {
  it('When Cilium is Helm-managed and not promoted, then the gate prints the exact helm upgrade and patches nothing', () => {
    const d = decide(record(), { helm: { name: 'cilium', namespace: 'kube-system', chartVersion: '1.15.6' } });
    expect(kinds(d)).toEqual([]);
    expect(d.waitingFor).toContain(
      'helm upgrade cilium cilium/cilium --namespace kube-system --version 1.15.6 --reuse-values --set cni.customConf=false --set policyEnforcementMode=default --set bpf.hostLegacyRouting=false --set operator.unmanagedPodWatcher.restart=true',
    );
  });
  it('When Cilium is not Helm-managed and the spec allows it, then the coordinator patches cilium-config', () => {
    expect(kinds(decide(record(), {}, 1000, { ...allStages, patchCiliumConfig: true }))).toEqual(['patchCiliumConfig']);
  });
  it('When Cilium is Helm-managed, then patchCiliumConfig does not patch (Helm would undo it)', () => {
    const helm = { name: 'cilium', namespace: 'kube-system', chartVersion: undefined };
    expect(kinds(decide(record(), { helm }, 1000, { ...allStages, patchCiliumConfig: true }))).toEqual([]);
  });
  it('When cilium-config shows the promotion, then the restart stamp is recorded before the restart', () => {
    const d = decide(record(), { promotionMissing: [] });
    expect(d.record).toMatchObject({ step: 'RestartingCiliumDaemonSet', restartedAt: at(1000).toISOString(), since: at(1000).toISOString() });
    expect(d.actions).toEqual([{ kind: 'restartCiliumDaemonSet', restartedAt: at(1000).toISOString() }]);
  });
  it('When a restarted coordinator finds the restart not applied, then it restarts with the recorded stamp (not a new one)', () => {
    const r = record({ step: 'RestartingCiliumDaemonSet', restartedAt: T0.toISOString() });
    expect(decide(r, { promotionMissing: [] }, 50_000).actions).toEqual([{ kind: 'restartCiliumDaemonSet', restartedAt: T0.toISOString() }]);
  });
  it('When the template carries the recorded stamp, then it waits for the rollout and never restarts again', () => {
    const r = record({ step: 'RestartingCiliumDaemonSet', restartedAt: T0.toISOString() });
    const d = decide(r, { promotionMissing: [], ciliumDaemonSetRestartedAt: T0.toISOString(), ciliumRolloutProblem: '1 of 3 pods updated' });
    expect(d.record?.step).toBe('WaitingRollout');
    expect(kinds(d)).toEqual([]);
    expect(kinds(decide(d.record, { ciliumDaemonSetRestartedAt: T0.toISOString(), ciliumRolloutProblem: 'x' }, 2000))).toEqual([]);
  });
  it('When the rollout is not done by its deadline (from the recorded step start), then the stage halts with the problem', () => {
    const r = record({ step: 'WaitingRollout' });
    expect(decide(r, { ciliumRolloutProblem: '2 of 3 pods Ready' }, 299_000).record?.haltReason).toBeUndefined();
    expect(decide(r, { ciliumRolloutProblem: '2 of 3 pods Ready' }, 300_000).record?.haltReason).toBe(
      'Promote halted in WaitingRollout: ds/cilium not rolled out within 300s: 2 of 3 pods Ready',
    );
  });
  it('When the rollout is done, then every node is validated again, k at a time, each recorded before its order', () => {
    const d1 = decide(record({ step: 'WaitingRollout' }));
    expect(d1.record?.step).toBe('Revalidating');
    const d2 = decide(d1.record, {}, 2000);
    expect(d2.record?.nodes.map((n) => [n.name, n.state, n.orderId])).toEqual([
      ['w1', 'Running', 'w1.s0.Revalidating'],
      ['w2', 'Running', 'w2.s0.Revalidating'],
    ]);
    const r2 = d2.record as StageRecord;
    const d3 = decide(r2, { results: new Map([ok('w2', r2)]) }, 3000);
    expect(d3.record?.nodes.map((n) => `${n.name}:${n.state}`)).toEqual(['w1:Running', 'w2:Done', 'w3:Running']);
    const r3 = d3.record as StageRecord;
    const d4 = decide(r3, { results: new Map([ok('w1', r3), ok('w2', r3), ok('w3', r3)]) }, 4000);
    expect(d4.record?.step).toBe('DeletingNodeConfig');
  });
  it('When a node fails its revalidation, then the stage halts naming the node', () => {
    const r = record({ step: 'Revalidating', nodes: [{ name: 'w1', state: 'Running', since: T0.toISOString(), orderId: 'w1.s0.Revalidating' }] });
    const d = decide(r, { results: new Map([['w1', { orderId: 'w1.s0.Revalidating', outcome: 'failed', message: 'dns: timeout' }]]) });
    expect(d.record?.haltReason).toBe('Promote halted in Revalidating: validation of w1 failed: dns: timeout');
    expect(d.record?.nodes.map((n) => n.name)).toEqual(['w1']);
  });
  it('When a node reports nothing within the validate timeout, then the stage halts', () => {
    const r = record({ step: 'Revalidating', nodes: [{ name: 'w1', state: 'Running', since: T0.toISOString(), orderId: 'w1.s0.Revalidating' }] });
    expect(decide(r, {}, 120_000).record?.haltReason).toContain('validation of w1 no result within 120s');
  });
  it('When the CiliumNodeConfig is present, then it is deleted; once gone, Promote is done', () => {
    const r = record({ step: 'DeletingNodeConfig' });
    expect(kinds(decide(r))).toEqual(['deleteNodeConfig']);
    expect(decide(r, { nodeConfigPresent: false }).record?.step).toBe('Done');
  });
});

describe('between stages', () => {
  it('When a stage is done and the next is not enabled, then it waits and says which field enables it', () => {
    const d = decide(record({ step: 'Done' }), {}, 1000, { ...allStages, removeCalico: false });
    expect(d.changed).toBe(false);
    expect(d.waitingFor).toBe('spec.stages.removeCalico is not enabled');
  });
  it('When the next stage is enabled, then it starts, the install method is recorded and the last stage gets its end', () => {
    const d = decide(record({ step: 'Done' }), { installMethod: 'operator' });
    expect(d.record).toMatchObject({ stage: 'RemoveCalico', step: 'BackingUp', method: 'operator' });
    expect(d.record?.times).toEqual([
      { name: 'Promote', startedAt: T0.toISOString(), finishedAt: at(1000).toISOString() },
      { name: 'RemoveCalico', startedAt: at(1000).toISOString() },
    ]);
  });
  it('When the last stage is done, then the migration is Complete with every stage timed', () => {
    const r = record({ stage: 'RemoveCrds', step: 'Done', times: [{ name: 'Promote', startedAt: T0.toISOString(), finishedAt: at(5000).toISOString() }, { name: 'RemoveCrds', startedAt: at(5000).toISOString() }] });
    const d = decide(r, {}, 7500);
    expect(d.record?.stage).toBe('Complete');
    expect(stageDurations(d.record?.times ?? [], at(99_000))).toEqual({ Promote: 5, RemoveCrds: 2.5 });
  });
});

describe('RemoveCalico', () => {
  const present = (keys: string[], deleting = false, finalizers: string[] = []) =>
    new Map(keys.map((k) => [k, { deleting, finalizers }]));
  it('When the backup is not done, then it is asked for; once done, the first step of the install method follows', () => {
    const r = record({ stage: 'RemoveCalico', step: 'BackingUp', method: 'operator' });
    expect(kinds(decide(r))).toEqual(['backupCalico']);
    const backup = { objects: 3, configMaps: ['cni-migrate-calico-backup-0'], kinds: { ippools: 1 } };
    expect(decide(r, { backup }).record).toMatchObject({ step: 'RemovingApiServer', backup });
    expect(decide({ ...r, method: 'manifest' }, { backup }).record?.step).toBe('RemovingManifest');
    expect(decide({ ...r, method: 'none' }, { backup }).record?.step).toBe('Done');
  });
  it('When the backup fails, then the stage halts before anything is removed', () => {
    const r = record({ stage: 'RemoveCalico', step: 'BackingUp', method: 'operator' });
    expect(decide(r, { backup: { error: 'forbidden' } }).record?.haltReason).toContain('backup failed: forbidden');
  });
  it('When operator-installed, then APIServer (and its APIService), the Installation (and calico-system), then the operator go, in that order', () => {
    const [apiServer, installation, operator] = removalPlan('operator');
    const keysOf = (s: typeof apiServer) => (s ? s.waitGone.map(refKey) : []);
    let r = record({ stage: 'RemoveCalico', step: 'RemovingApiServer', method: 'operator' });
    const all = present([...keysOf(apiServer), ...keysOf(installation), ...keysOf(operator)]);
    const d1 = decide(r, { objects: all });
    expect(d1.actions).toEqual([{ kind: 'deleteObjects', refs: apiServer?.remove }]);
    r = decide(r, { objects: present([...keysOf(installation), ...keysOf(operator)]) }).record as StageRecord;
    expect(r.step).toBe('RemovingInstallation');
    const d2 = decide(r, { objects: present([...keysOf(installation), ...keysOf(operator)]) });
    expect(d2.actions).toEqual([{ kind: 'deleteObjects', refs: installation?.remove }]);
    r = decide(r, { objects: present(keysOf(operator)) }).record as StageRecord;
    expect(r.step).toBe('RemovingOperator');
    expect(decide(r).record?.step).toBe('Done');
  });
  it('When the Installation is still terminating at the deadline, then the stage halts naming it and its finalizer', () => {
    const r = record({ stage: 'RemoveCalico', step: 'RemovingInstallation', method: 'operator' });
    const inst = removalPlan('operator')[1]?.waitGone[0];
    const objects = present(inst ? [refKey(inst)] : [], true, ['tigera.io/operator-cleanup']);
    const waiting = decide(r, { objects }, 599_000);
    expect(kinds(waiting)).toEqual([]);
    expect(waiting.waitingFor).toBe('Installation default still terminating (finalizers: tigera.io/operator-cleanup)');
    expect(decide(r, { objects }, 600_000).record?.haltReason).toBe(
      'RemoveCalico halted in RemovingInstallation: not gone within 600s: Installation default still terminating (finalizers: tigera.io/operator-cleanup)',
    );
  });
});

describe('CleanNodes', () => {
  const r = record({ stage: 'CleanNodes', step: 'Cleaning' });
  it('When cleaning starts, then k nodes get a cleanup order id; a clean result records the inventory on the node', () => {
    const d1 = decide(r);
    expect(d1.record?.nodes.map((n) => n.orderId)).toEqual(['w1.s0.Cleaning', 'w2.s0.Cleaning']);
    const r1 = d1.record as StageRecord;
    const d2 = decide(r1, { results: new Map([ok('w1', r1, { found: { routes: 2 }, left: 0 })]) });
    expect(d2.actions).toEqual([{ kind: 'recordInventory', node: 'w1', found: { routes: 2 }, left: 0 }]);
    expect(d2.record?.nodes.find((n) => n.name === 'w1')).toMatchObject({ state: 'Done', found: { routes: 2 }, left: 0 });
  });
  it('When a restarted coordinator sees the same record and no new result, then no node is ordered again', () => {
    const r1 = { ...r, nodes: [{ name: 'w1', state: 'Done' as const, since: T0.toISOString(), orderId: 'w1.s0.Cleaning', found: {}, left: 0 }] };
    const d = decide(r1, {}, 2000, allStages);
    expect(d.record?.nodes.filter((n) => n.name === 'w1')).toHaveLength(1);
    expect(d.record?.nodes.map((n) => n.name)).toEqual(['w1', 'w2', 'w3']);
  });
  it('When a node is left with Calico items, then the stage halts naming the node and what is left', () => {
    const r1 = { ...r, nodes: [{ name: 'w1', state: 'Running' as const, since: T0.toISOString(), orderId: 'w1.s0.Cleaning' }] };
    const res = { orderId: 'w1.s0.Cleaning', outcome: 'failed' as const, message: '2 Calico items left: ipset cali40x kept', found: { ipsets: 3 }, left: 2 };
    const d = decide(r1, { results: new Map([['w1', res]]) });
    expect(d.record?.haltReason).toBe('CleanNodes halted in Cleaning: w1: 2 Calico items left (failed: 2 Calico items left: ipset cali40x kept)');
    expect(kinds(d)).toEqual(['recordInventory']);
  });
  it('When a node reports what is left by kind, then the halt names the kinds, and the record keeps each node\'s inventory past the stage', () => {
    const r1 = { ...r, nodes: [{ name: 'w1', state: 'Running' as const, since: T0.toISOString(), orderId: 'w1.s0.Cleaning' }] };
    const res = { orderId: 'w1.s0.Cleaning', outcome: 'failed' as const, message: 'm', found: { ipsets: 3, routes: 1 }, left: 2, leftByKind: { ipsets: 2, routes: 0 } };
    const d = decide(r1, { results: new Map([['w1', res]]) });
    expect(d.record?.haltReason).toBe('CleanNodes halted in Cleaning: w1: 2 Calico items left (ipsets=2) (failed: m)');
    expect(d.actions).toEqual([{ kind: 'recordInventory', node: 'w1', found: { ipsets: 3, routes: 1 }, left: 2, leftByKind: { ipsets: 2, routes: 0 } }]);
    expect(d.record?.inventories).toEqual({ w1: { found: { ipsets: 3, routes: 1 }, left: { ipsets: 2, routes: 0 } } });
    const clean = { ...r, nodes: ['w1', 'w2', 'w3'].map((name) => ({ name, state: 'Running' as const, since: T0.toISOString(), orderId: `${name}.s0.Cleaning` })) };
    const results = new Map(['w1', 'w2', 'w3'].map((n) => [n, { orderId: `${n}.s0.Cleaning`, outcome: 'succeeded' as const, message: '', found: { routes: 1 }, left: 0, leftByKind: { routes: 0 } }]));
    const done = decide(clean, { results }, 1000, allStages).record as StageRecord;
    expect(done.step).toBe('Done');
    const next = decide(done, {}, 2000, allStages).record;
    expect(next).toMatchObject({ stage: 'RemoveCrds', nodes: [] });
    expect(Object.keys(next?.inventories ?? {})).toEqual(['w1', 'w2', 'w3']);
    expect(next?.inventories?.['w2']).toEqual({ found: { routes: 1 }, left: { routes: 0 } });
  });
  it('When a halted step is retried, then failed nodes get a new order id and done ones stay done', () => {
    const halted = { ...r, haltReason: 'x', nodes: [
      { name: 'w1', state: 'Done' as const, since: T0.toISOString(), orderId: 'w1.s0.Cleaning' },
      { name: 'w2', state: 'Failed' as const, since: T0.toISOString(), orderId: 'w2.s0.Cleaning' },
    ] };
    expect(decide(halted).changed).toBe(false);
    const d = decide(halted, { retryRequested: true });
    expect(d.record).toMatchObject({ attempt: 1, nodes: [{ name: 'w1', state: 'Done' }] });
    expect(d.record?.haltReason).toBeUndefined();
    expect(kinds(d)).toEqual([]);
    expect(decide(d.record, {}, 2000).record?.nodes.map((n) => n.orderId)).toEqual(['w1.s0.Cleaning', 'w2.s1.Cleaning', 'w3.s1.Cleaning']);
  });
});

describe('RemoveCrds', () => {
  it('When Calico CRDs are served, then they are deleted and recorded; once gone, the stage is done naming them', () => {
    const r = record({ stage: 'RemoveCrds', step: 'RemovingCrds' });
    const crds = ['installations.operator.tigera.io', 'ippools.crd.projectcalico.org'];
    const d1 = decide(r, { crdsPresent: crds });
    expect(d1.actions).toEqual([{ kind: 'deleteCrds', names: crds }]);
    expect(d1.record?.crdsRemoved).toEqual(crds);
    const d2 = decide(d1.record, { crdsPresent: [] });
    expect(d2.record).toMatchObject({ step: 'Done', crdsRemoved: crds });
  });
});
