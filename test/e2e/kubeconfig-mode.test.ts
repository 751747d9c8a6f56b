import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { MIGRATION_DEFAULT_NAME, MIGRATION_GROUP, MIGRATION_PLURAL, MIGRATION_VERSION, NodeAnnotation } from '../../shared/names.js';
import { simulatedNodeSelector, startSimCluster, type SimCluster } from '../../sim/index.js';
import { runRollout } from './support.js';

let host: SimCluster;
let dir: string;
let kubeconfig: string;

beforeAll(async () => {
  host = await startSimCluster({ nodes: 1, nodePrefix: 'host', rebootDowntimeMs: 50, ciliumReadyDelayMs: 20 });
  dir = mkdtempSync(join(tmpdir(), 'kubeconfig-mode-'));
  kubeconfig = join(dir, 'admin.kubeconfig');
  writeFileSync(kubeconfig, host.kubeConfig().exportConfig(), { mode: 0o600 });
}, 30_000);

afterAll(async () => {
  await host.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('end to end: the demo against an existing cluster (--kubeconfig)', () => {
  it('when the cluster has its own node, then only the demo nodes are migrated, each once, one at a time, and the host node is untouched', async () => {
    const { summary, ok } = await runRollout({ nodes: 3, kubeconfig });

    expect(summary).toMatchObject({ nodes: 3, migrated: 3, failed: 0, halted: null, maxInFlight: 1, maxRebootsPerNode: 1 });
    expect(ok).toBe(true);
    const kc = host.kubeConfig();
    const nodes = (await kc.makeApiClient(CoreV1Api).listNode()).items;
    const hostNode = nodes.find((n) => n.metadata?.name === 'host-cp-1');
    expect(hostNode?.metadata?.annotations?.[NodeAnnotation.phase]).toBeUndefined();
    expect(hostNode?.spec?.unschedulable ?? false).toBe(false);
    const demoPhases = nodes.filter((n) => n.metadata?.name?.startsWith('demo-')).map((n) => [n.metadata?.name, n.metadata?.annotations?.[NodeAnnotation.phase]]);
    expect(demoPhases.sort()).toEqual([
      ['demo-cp-1', 'Done'],
      ['demo-worker-1', 'Done'],
      ['demo-worker-2', 'Done'],
    ]);
    const migration: unknown = await kc.makeApiClient(CustomObjectsApi).getClusterCustomObject({
      group: MIGRATION_GROUP,
      version: MIGRATION_VERSION,
      plural: MIGRATION_PLURAL,
      name: MIGRATION_DEFAULT_NAME,
    });
    expect(migration).toMatchObject({ spec: { nodeSelector: simulatedNodeSelector('demo') } });
  }, 30_000);

  it('when the demo runs again on the same cluster, then the existing install, Migration and nodes are taken over without error', async () => {
    const { summary, ok } = await runRollout({ nodes: 3, kubeconfig, concurrency: 2 });

    expect(ok).toBe(true);
    expect(summary).toMatchObject({ nodes: 3, migrated: 3, failed: 0, halted: null });
    const migration: unknown = await host.kubeConfig().makeApiClient(CustomObjectsApi).getClusterCustomObject({
      group: MIGRATION_GROUP,
      version: MIGRATION_VERSION,
      plural: MIGRATION_PLURAL,
      name: MIGRATION_DEFAULT_NAME,
    });
    expect(migration).toMatchObject({ spec: { concurrency: 2, nodeSelector: simulatedNodeSelector('demo') } });
  }, 30_000);
});
