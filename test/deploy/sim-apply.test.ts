import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  ApiException,
  CoordinationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { z } from 'zod';
import { loadDeployYaml, renderDeploy } from './support/manifests.js';
import { startApiServer, type SimApiServer } from '../../sim/apiserver/index.js';
import { MIGRATION_GROUP, MIGRATION_PLURAL, MIGRATION_VERSION } from '../../shared/names.js';

const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const migration = { group: MIGRATION_GROUP, version: MIGRATION_VERSION, plural: MIGRATION_PLURAL, name: 'default' };

/** The HTTP status a call ends with: 200 when it succeeds, the API's code when it fails. */
async function codeOf(call: () => Promise<unknown>): Promise<number> {
  try {
    await call();
    return 200;
  } catch (e) {
    if (e instanceof ApiException) return e.code;
    throw e;
  }
}

let api: SimApiServer;
let admin: CustomObjectsApi;
const as = (serviceAccount: string) =>
  api.kubeConfig({ token: api.issueServiceAccountToken({ namespace: 'cni-migrate', serviceAccount }) });

beforeAll(async () => {
  api = await startApiServer();
  const objects = await renderDeploy();
  api.applyManifests(objects.map((o) => ({ ...o })));
  admin = api.kubeConfig().makeApiClient(CustomObjectsApi);
  await admin.createClusterCustomObject({ ...migration, body: loadDeployYaml('migration-default.yaml', z.looseObject({})) });
});

afterAll(async () => {
  await api.close();
});

describe('deploy/ applied to the simulated API server', () => {
  it('when the sample Migration is created, then it is stored paused', async () => {
    const stored: unknown = await admin.getClusterCustomObject(migration);
    expect(stored).toMatchObject({ spec: { paused: true, concurrency: 1 } });
  });

  it('when the coordinator writes a status through the subresource, then the CRD accepts it', async () => {
    const coordinator = as('cni-migrate-coordinator').makeApiClient(CustomObjectsApi);
    const status = {
      phase: 'Running',
      nodes: [{ name: 'worker-1', phase: 'Draining', attempt: 1, since: '2026-01-01T00:00:00.000Z', durationSeconds: 3 }],
      migrated: 0,
      total: 3,
      inFlight: 1,
      conditions: [
        { type: 'Halted', status: 'False', reason: 'NoFailure', message: 'no node has failed', lastTransitionTime: '2026-01-01T00:00:00.000Z' },
      ],
    };
    await coordinator.patchClusterCustomObjectStatus({ ...migration, body: { status } }, merge);
    expect(await admin.getClusterCustomObject(migration)).toMatchObject({ status });
  });

  it('when a status names a phase the CRD does not know, then the API server rejects it', async () => {
    const coordinator = as('cni-migrate-coordinator').makeApiClient(CustomObjectsApi);
    const body = { status: { phase: 'Exploded' } };
    expect(await codeOf(() => coordinator.patchClusterCustomObjectStatus({ ...migration, body }, merge))).toBe(422);
  });

  it('when the coordinator takes a grant Lease in its namespace, then it is allowed', async () => {
    const leases = as('cni-migrate-coordinator').makeApiClient(CoordinationV1Api);
    const body = { metadata: { name: 'cni-migrate-slot-0' }, spec: { holderIdentity: 'worker-1', leaseDurationSeconds: 15 } };
    expect(await codeOf(() => leases.createNamespacedLease({ namespace: 'cni-migrate', body }))).toBe(200);
  });

  it.each([
    ['the agent patches a node', 'cni-migrate-agent', (core: CoreV1Api) => core.patchNode({ name: 'worker-1', body: { spec: { unschedulable: true } } }, merge)],
    ['the agent lists secrets', 'cni-migrate-agent', (core: CoreV1Api) => core.listNamespacedSecret({ namespace: 'cni-migrate' })],
    ['the coordinator reads secrets in kube-system', 'cni-migrate-coordinator', (core: CoreV1Api) => core.listNamespacedSecret({ namespace: 'kube-system' })],
    ['the coordinator deletes a workload pod', 'cni-migrate-coordinator', (core: CoreV1Api) => core.deleteNamespacedPod({ name: 'web-1', namespace: 'default' })],
  ])('when %s, then the API server forbids it', async (_what, sa, call) => {
    expect(await codeOf(() => call(as(sa).makeApiClient(CoreV1Api)))).toBe(403);
  });

  it('when the agent looks for the coordinator Service endpoints, then RBAC lets it (404 until they exist)', async () => {
    const core = as('cni-migrate-agent').makeApiClient(CoreV1Api);
    const code = await codeOf(() => core.readNamespacedEndpoints({ namespace: 'cni-migrate', name: 'cni-migrate-coordinator' }));
    expect([200, 404]).toContain(code);
  });
});
