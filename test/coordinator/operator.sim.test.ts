/**
 * The operator commands (`cni-migrate status|pause|resume|retry|rollback`) through the command line,
 * against the simulated API server with the Migration CRD from deploy/.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { MIGRATION_GROUP, MIGRATION_PLURAL, MIGRATION_VERSION, NodeAnnotation } from '../../shared/names.js';
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
    { apiVersion: 'v1', kind: 'Node', metadata: { name: 'w1', annotations: { [NodeAnnotation.phase]: 'Halted', [NodeAnnotation.haltReason]: 'dns failed' } } },
    { apiVersion: 'v1', kind: 'Node', metadata: { name: 'w2', annotations: { [NodeAnnotation.phase]: 'Draining' } } },
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
      body: { apiVersion: `${MIGRATION_GROUP}/${MIGRATION_VERSION}`, kind: 'Migration', metadata: { name: 'default' }, spec: { concurrency: 2 } },
    });
    expect(await run('pause')).toContain('paused');
    expect(await spec()).toMatchObject({ paused: true, concurrency: 2 });
    expect(await run('resume')).toContain('resumed');
    expect(await spec()).toMatchObject({ paused: false });
  });

  it('when the status is shown, then it lists each node with its phase', async () => {
    await api.kubeConfig().makeApiClient(CustomObjectsApi).patchClusterCustomObjectStatus(
      { ...coords, body: [{ op: 'add', path: '/status', value: {
        phase: 'Halted', migrated: 0, total: 2, inFlight: 1, haltReason: 'w1: dns failed', conditions: [],
        nodes: [{ name: 'w1', phase: 'Halted', attempt: 1, reason: 'dns failed' }, { name: 'w2', phase: 'Draining', attempt: 1 }],
      } }] },
    );
    const out = await run('status');
    expect(out).toContain('Migration default: Halted  migrated 0/2  in flight 1');
    expect(out).toContain('halted: w1: dns failed');
    expect(out).toMatch(/w1\s+Halted\s+1/);
  });

  it('when a halted node is retried, then the request annotation is written', async () => {
    expect(await run('retry', 'w1')).toContain('retry requested for w1 (was Halted: dns failed)');
    expect((await annotations('w1'))[NodeAnnotation.request]).toBe('retry');
    await run('rollback', 'w1');
    expect((await annotations('w1'))[NodeAnnotation.request]).toBe('rollback');
  });

  it('when a node in flight, a missing node or a bad name is named, then the command fails and changes nothing', async () => {
    await expect(run('retry', 'w2')).rejects.toThrow('node w2 is Draining');
    await expect(run('rollback', 'nope')).rejects.toThrow('node nope not found');
    await expect(run('retry', 'Bad_Name')).rejects.toThrow('invalid node name');
    expect((await annotations('w2'))[NodeAnnotation.request]).toBeUndefined();
  });
});
