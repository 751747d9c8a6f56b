/**
 * The operator commands (`cni-migrate status|pause|resume|retry [--stage]|rollback`) through the command line,
 * against the simulated API server with the Migration CRD from deploy/.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { MIGRATION_GROUP, MIGRATION_PLURAL, MIGRATION_VERSION, NodeAnnotation, PHASE_LABEL } from '../../shared/names.js';
import { startApiServer, type SimApiServer } from '../../sim/apiserver/index.js';
import { readDeployManifests } from '../../sim/demo/deploy-manifests.js';
import { buildCoordinatorProgram } from '../../coordinator/cli.js';
import { operatorApi } from '../../coordinator/operator.js';

const coords = { group: MIGRATION_GROUP, version: MIGRATION_VERSION, plural: MIGRATION_PLURAL, name: 'default' };
let api: SimApiServer;

async function run(...args: string[]): Promise<string> {
  let printed = '';
  const program = buildCoordinatorProgram({}, {
    coordinator: () => Promise.resolve(),
    operator: () => operatorApi(api.kubeConfig()),
    out: (t) => {
      printed += t;
    },
  });
  await program.parseAsync(['node', 'cni-migrate', ...args]);
  return printed;
}

const spec = async (): Promise<unknown> =>
  ((await api.kubeConfig().makeApiClient(CustomObjectsApi).getClusterCustomObject(coords)) as { spec: unknown }).spec;
const annotations = async (node: string) =>
  (await api.kubeConfig().makeApiClient(CoreV1Api).readNode({ name: node })).metadata?.annotations ?? {};

beforeAll(async () => {
  api = await startApiServer();
  api.applyManifests(await readDeployManifests('deploy'));
  api.applyManifests([
    { apiVersion: 'v1', kind: 'Node', metadata: { name: 'w10' } },
    {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'w1', labels: { [PHASE_LABEL]: 'Halted' }, annotations: { [NodeAnnotation.phase]: 'Halted', [NodeAnnotation.haltReason]: 'dns failed', [NodeAnnotation.failedPhase]: 'Validating', [NodeAnnotation.attempt]: '1' } },
      spec: { unschedulable: true },
    },
    {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'w2', annotations: { [NodeAnnotation.phase]: 'Draining', [NodeAnnotation.phaseSince]: new Date(Date.now() - 75_000).toISOString(), [NodeAnnotation.attempt]: '1' } },
      spec: { unschedulable: true },
    },
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'demo' } },
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'web-1', namespace: 'demo', labels: { app: 'web' } },
      spec: { nodeName: 'w2', containers: [{ name: 'c', image: 'nginx' }] },
    },
    { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'web', namespace: 'demo' }, spec: { minAvailable: 1, selector: { matchLabels: { app: 'web' } } } },
  ]);
});

afterAll(async () => {
  await api.close();
});

describe('cni-migrate operator commands', () => {
  it('when there is no Migration yet, then status says so clearly', async () => {
    await expect(run('status')).rejects.toThrow('Migration "default" not found');
  });

  it('when the rollout is paused and resumed, then spec.paused follows', async () => {
    await api.kubeConfig().makeApiClient(CustomObjectsApi).createClusterCustomObject({
      ...coords,
      body: { apiVersion: `${MIGRATION_GROUP}/${MIGRATION_VERSION}`, kind: 'Migration', metadata: { name: 'default' }, spec: { concurrency: 2, drain: { force: true } } },
    });
    expect(await run('pause')).toContain('paused');
    expect(await spec()).toMatchObject({ paused: true, concurrency: 2 });
    expect(await run('resume')).toContain('resumed');
    expect(await spec()).toMatchObject({ paused: false });
  });

  it('when the status is shown, then it says what is in flight, what blocks the drain, and how to continue the halt', async () => {
    await api.kubeConfig().makeApiClient(CustomObjectsApi).patchClusterCustomObjectStatus(
      { ...coords, body: [{ op: 'add', path: '/status', value: {
        phase: 'Halted', migrated: 0, total: 2, inFlight: 1, haltReason: 'w1: dns failed', haltedNode: 'w1', conditions: [],
        nodes: [{ name: 'w1', phase: 'Halted', attempt: 1, reason: 'dns failed' }, { name: 'w2', phase: 'Draining', attempt: 1 }],
      } }] },
    );
    const out = await run('status');
    expect(out).toContain('Migration default  stage Rollout  phase Halted');
    expect(out).toMatch(/\[-+\] 0\/3 done, 1 in flight, 1 pending, 1 halted/);
    expect(out).toMatch(/w2\s+Draining\s+\d+m\d+s\s+1 pod left \(demo\/web-1\); blocked by PodDisruptionBudget demo\/web/);
    expect(out).toContain('w1 halted at step Validating: dns failed');
    expect(out).toContain('w1 is left cordoned');
    expect(out).toContain('cni-migrate retry w1');
    expect(out).toContain('cni-migrate rollback w1');
    const wide = await run('status', '-o', 'wide');
    expect(wide.split('\n').filter((l) => /^w\d+\s+[A-Z][a-z]+\s+\d/.test(l))).toEqual([
      expect.stringMatching(/^w1\s+Halted\s+1\s+yes\s+dns failed$/),
      expect.stringMatching(/^w2\s+Draining\s+1\s+yes$/),
      expect.stringMatching(/^w10\s+Pending\s+0$/),
    ]);
    const json = JSON.parse(await run('status', '-o', 'json')) as Record<string, unknown>;
    expect(json).toMatchObject({ stage: 'Rollout', halt: { node: 'w1', step: 'Validating', next: ['cni-migrate retry w1', 'cni-migrate rollback w1'] } });
  });

  it('when the status is watched, then it prints the view and stops when told to', async () => {
    let stop: () => void = () => undefined;
    let printed = '';
    const program = buildCoordinatorProgram({}, {
      coordinator: () => Promise.resolve(),
      operator: () => operatorApi(api.kubeConfig()),
      out: (t) => {
        printed += t;
        if (printed.includes('cni-migrate retry w1')) stop();
      },
      watchUntil: () => new Promise<void>((resolve) => (stop = resolve)),
    });
    await program.parseAsync(['node', 'cni-migrate', 'status', '--watch']);
    expect(printed).toContain('Migration default  stage Rollout');
  });

  it('when a node changes while the status is watched, then the view is redrawn from the watch event', async () => {
    let stop: () => void = () => undefined;
    let printed = '';
    const core = api.kubeConfig().makeApiClient(CoreV1Api);
    const program = buildCoordinatorProgram({}, {
      coordinator: () => Promise.resolve(),
      operator: () => operatorApi(api.kubeConfig()),
      out: (t) => {
        const first = printed === '';
        printed += t;
        // After the first view, w10 starts its migration: only the Node watch tells the view.
        if (first) void core.patchNode({ name: 'w10', body: { metadata: { annotations: { [NodeAnnotation.phase]: 'Cordoning', [NodeAnnotation.attempt]: '1' } } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
        if (/w10\s+Cordoning/.test(printed)) stop();
      },
      watchUntil: () => new Promise<void>((resolve) => (stop = resolve)),
    });
    await program.parseAsync(['node', 'cni-migrate', 'status', '--watch']);
    expect(printed).toMatch(/w10\s+Cordoning/);
    await core.patchNode({ name: 'w10', body: { metadata: { annotations: { [NodeAnnotation.phase]: null, [NodeAnnotation.attempt]: null } } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
  });

  it('when a halted node is retried, then the request annotation is written and status shows it pending', async () => {
    expect(await run('retry', 'w1')).toContain('retry requested for w1 (was Halted: dns failed)');
    expect((await annotations('w1'))[NodeAnnotation.request]).toBe('retry');
    expect(await run('status')).toContain('pending requests (the coordinator acts on each and clears it):\n  retry w1');
    await run('rollback', 'w1');
    expect((await annotations('w1'))[NodeAnnotation.request]).toBe('rollback');
  });

  it('when a node in flight, a missing node or a bad name is named, then the command fails and changes nothing', async () => {
    await expect(run('retry', 'w2')).rejects.toThrow('node w2 is Draining');
    await expect(run('rollback', 'nope')).rejects.toThrow('node nope not found');
    await expect(run('retry', 'Bad_Name')).rejects.toThrow('invalid node name');
    expect((await annotations('w2'))[NodeAnnotation.request]).toBeUndefined();
  });

  it('when a cluster-level stage halted, then retry --stage writes the halted attempt into spec.stages and status says how to continue', async () => {
    await expect(run('retry', '--stage')).rejects.toThrow('no cluster-level stage has started');
    await expect(run('retry')).rejects.toThrow('retry takes a NODE or --stage');
    await expect(run('retry', 'w1', '--stage')).rejects.toThrow('retry takes a NODE or --stage');
    const custom = api.kubeConfig().makeApiClient(CustomObjectsApi);
    const since = new Date().toISOString();
    const stage = { stage: 'CleanNodes', step: 'Cleaning', since, attempt: 2, nodes: [], times: [], haltReason: 'CleanNodes halted in Cleaning: w1: 3 Calico items left (ipsets=3) (failed)' };
    await custom.patchClusterCustomObjectStatus({ ...coords, body: { status: { stage } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    expect(await run('status')).toContain('stage halted: CleanNodes halted in Cleaning: w1: 3 Calico items left (ipsets=3) (failed); fix the cause, then: cni-migrate retry --stage');
    expect(await run('retry', '--stage')).toBe('retry requested for stage CleanNodes/Cleaning (attempt 2 halted: CleanNodes halted in Cleaning: w1: 3 Calico items left (ipsets=3) (failed))\n');
    expect(await spec()).toMatchObject({ concurrency: 2, stages: { retryAttempt: 2 } });
  });
});
