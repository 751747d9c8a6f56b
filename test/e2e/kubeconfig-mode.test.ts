/**
 * The demo against an existing cluster (`--kubeconfig`), here a simulated one that plays the existing
 * cluster (its own node, workloads and, later, its own idle cni-migrate install). What the cluster holds is
 * compared, through the API, before and after each run: every object of every kind it serves.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { CustomObjectsApi, KubernetesObjectApi, PatchStrategy, setHeaderOptions, type KubeConfig } from '@kubernetes/client-node';
import { MIGRATION_GROUP, MIGRATION_PLURAL, MIGRATION_VERSION } from '../../shared/names.js';
import { startSimCluster, type SimCluster } from '../../sim/index.js';
import { installDeployManifests } from '../../sim/demo/install.js';
import { servedKinds } from '../../sim/demo/plan.js';
import { DemoInterrupted, type DemoResult } from '../../sim/demo/run-demo.js';
import { FAST_DEADLINES, runRollout } from './support.js';

let host: SimCluster;
let dir: string;
let kubeconfig: string;

/**
 * `Kind ns/name` of everything of those kinds; `withVersions` adds the generation (a changed spec shows) or,
 * for kinds without one, the resourceVersion. Node and Lease versions move with the host's own heartbeats.
 */
const nameOf = (meta: { name?: string; namespace?: string } | undefined): string =>
  meta?.namespace ? `${meta.namespace}/${meta.name}` : `${meta?.name}`;
const versionOf = (kind: string, meta: { generation?: number; resourceVersion?: string } | undefined): string =>
  kind === 'Lease' || kind === 'Node' ? '' : `@${meta?.generation ?? meta?.resourceVersion}`;

async function inventory(kc: KubeConfig, withVersions = false): Promise<string[]> {
  const objects = KubernetesObjectApi.makeApiClient(kc);
  const out: string[] = [];
  // Every kind the cluster serves (found through discovery), so nothing the demo could create is missed.
  for (const { apiVersion, kind } of await servedKinds(kc)) {
    const list = await objects.list(apiVersion, kind);
    for (const o of list.items) out.push(`${kind} ${nameOf(o.metadata)}${withVersions ? versionOf(kind, o.metadata) : ''}`);
  }
  return out.sort();
}

function capture(): { out: Writable; lines: () => string[] } {
  let text = '';
  return {
    out: new Writable({
      write(chunk: Buffer, _enc, cb) {
        text += chunk.toString();
        cb();
      },
    }),
    lines: () => text.split('\n').filter((l) => l.startsWith('demo') || l.startsWith('  ')),
  };
}

const runIdOf = (lines: string[]): string | undefined => /^demo: run ([0-9a-f]{6}) on /.exec(lines.find((l) => l.startsWith('demo: run ')) ?? '')?.[1];

beforeAll(async () => {
  host = await startSimCluster({ nodes: 1, nodePrefix: 'host', rebootDowntimeMs: 50, ciliumReadyDelayMs: 20 });
  await host.settled();
  dir = mkdtempSync(join(tmpdir(), 'kubeconfig-mode-'));
  kubeconfig = join(dir, 'admin.kubeconfig');
  writeFileSync(kubeconfig, host.kubeConfig().exportConfig(), { mode: 0o600 });
});

afterAll(async () => {
  await host.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('end to end: the demo against an existing cluster (--kubeconfig)', () => {
  it('when run twice in a row, then each run migrates every demo node once, says what it creates, and leaves nothing behind', async () => {
    const before = await inventory(host.kubeConfig());
    for (const run of [1, 2]) {
      const { out, lines } = capture();
      const r: DemoResult = await runRollout({ nodes: 3, kubeconfig, concurrency: run }, { out });

      expect({ run, ok: r.ok, summary: r.summary }).toMatchObject({
        ok: true,
        summary: { nodes: 3, migrated: 3, failed: 0, halted: null, maxRebootsPerNode: 1 },
      });
      const id = runIdOf(lines());
      expect(lines()).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^demo: run [0-9a-f]{6} on .* creates these objects, each labelled demo\.cni-migrate\.io\/run=[0-9a-f]{6} and removed on exit/),
          '  Node: demo-cp-1, demo-worker-1, demo-worker-2',
          `  Migration: demo-${id}`,
          expect.stringMatching(/^demo: removed everything run [0-9a-f]{6} created: .*3 Nodes/),
        ]),
      );
      expect(await inventory(host.kubeConfig())).toEqual(before);
    }
  });

  it('when a rollout that is not the demo\'s is in progress, then the demo refuses in one line and changes nothing', async () => {
    const kc = host.kubeConfig();
    await installDeployManifests(kc, 'deploy');
    const custom = kc.makeApiClient(CustomObjectsApi);
    const coords = { group: MIGRATION_GROUP, version: MIGRATION_VERSION, plural: MIGRATION_PLURAL };
    await custom.createClusterCustomObject({ ...coords, body: { apiVersion: `${MIGRATION_GROUP}/${MIGRATION_VERSION}`, kind: 'Migration', metadata: { name: 'default' }, spec: { paused: false } } });
    const before = await inventory(kc, true);

    const refused = runRollout({ nodes: 2, kubeconfig });

    await expect(refused).rejects.toThrow(/^refusing to run: a rollout that is not the demo's is in progress \(Migration default is not started\); the demo changed nothing$/);
    expect(await inventory(kc, true)).toEqual(before);
    // The operator pauses it: an idle install and a paused Migration do not stop the demo (the next tests).
    await custom.patchClusterCustomObject({ ...coords, name: 'default', body: { spec: { paused: true } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
  });

  it('when the rollout fails beside an idle install of cni-migrate, then the demo still removes what it created and changes nothing of the install', async () => {
    const before = await inventory(host.kubeConfig(), true);

    const r = await runRollout({ nodes: 2, kubeconfig, scenario: 'node-never-returns' }, { coordinator: FAST_DEADLINES });

    expect({ ok: r.ok, summary: r.summary }).toMatchObject({ ok: true, summary: { migrated: 0, failed: 1 } });
    expect(r.summary.halted?.node).toBe('demo-worker-1');
    expect(await inventory(host.kubeConfig(), true)).toEqual(before);
    const hostNode = (await inventory(host.kubeConfig())).filter((o) => o.startsWith('Node '));
    expect(hostNode).toEqual(['Node host-cp-1']);
  });

  it('when the run is interrupted (Ctrl-C) while a node reboots, then it stops and removes what it created', async () => {
    const before = await inventory(host.kubeConfig(), true);
    const controller = new AbortController();
    const phases: string[] = [];

    const run = runRollout(
      { nodes: 2, kubeconfig },
      {
        signal: controller.signal,
        onNodePhase: (node, phase) => {
          phases.push(`${node}/${phase}`);
          if (phase === 'Rebooting') controller.abort(new DemoInterrupted('SIGINT'));
        },
      },
    );

    await expect(run).rejects.toThrow('interrupted by SIGINT');
    expect(phases).toContain('demo-worker-1/Rebooting');
    expect(await inventory(host.kubeConfig(), true)).toEqual(before);
  });

  it('when an earlier run kept its objects (--keep), then the next run says so, removes them first, and ends clean', async () => {
    const before = await inventory(host.kubeConfig(), true);
    const kept = capture();
    await runRollout({ nodes: 2, kubeconfig, keep: true }, { out: kept.out });
    const leftover = await inventory(host.kubeConfig());
    expect(leftover.filter((o) => o.startsWith('Node demo-'))).toEqual(['Node demo-cp-1', 'Node demo-worker-1']);
    const migration: unknown = await host
      .kubeConfig()
      .makeApiClient(CustomObjectsApi)
      .getClusterCustomObject({ group: MIGRATION_GROUP, version: MIGRATION_VERSION, plural: MIGRATION_PLURAL, name: `demo-${runIdOf(kept.lines())}` });
    expect(migration).toMatchObject({ status: { phase: 'Completed' } });

    const next = capture();
    const r = await runRollout({ nodes: 2, kubeconfig }, { out: next.out });

    expect(next.lines()).toContainEqual(expect.stringMatching(new RegExp(`^demo: removing what an earlier demo run left behind \\(run ${runIdOf(kept.lines())}\\): .*2 Nodes`)));
    expect({ ok: r.ok, summary: r.summary }).toMatchObject({ ok: true, summary: { nodes: 2, migrated: 2, maxRebootsPerNode: 1 } });
    const hostNodes = (await inventory(host.kubeConfig())).filter((o) => o.startsWith('Node '));
    expect(hostNodes).toEqual(['Node host-cp-1']);
    expect(await inventory(host.kubeConfig(), true)).toEqual(before);
  });
});
