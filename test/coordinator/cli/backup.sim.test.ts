/**
 * `cni-migrate backup` against the simulated cluster, as the README shows it: from the live Calico CRDs,
 * to stdout with `-f -`, then (once the CRDs are gone) from the backup ConfigMaps the RemoveCalico stage stores; YAML and JSON;
 * an existing file is never overwritten; nothing to back up is one clear line and no file.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ApiextensionsV1Api, CoreV1Api } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { buildCoordinatorProgram } from '../../../coordinator/cli.js';
import { calicoBackupApi } from '../../../coordinator/kube/calico-backup.js';
import { exitCodeFor } from '../../../shared/exit.js';
import { startApiServer, type SimApiServer } from '../../../sim/apiserver/index.js';
import { seedCluster } from '../../../sim/cluster/seed/index.js';

const NAMESPACE = 'cni-migrate';
let api: SimApiServer;
let dir: string;

async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  const program = buildCoordinatorProgram({}, {
    coordinator: () => Promise.resolve(),
    backupRead: (_kubeconfig, ns) => calicoBackupApi(api.kubeConfig(), ns),
    out: (t) => {
      out += t;
    },
  });
  program.configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
  try {
    await program.parseAsync(['node', 'cni-migrate', ...args]);
    return { code: 0, out, err: '' };
  } catch (e) {
    const { code, message } = exitCodeFor(e);
    return { code, out, err: message };
  }
}

type Obj = { apiVersion?: string; kind?: string; metadata?: { name?: string; resourceVersion?: string; uid?: string } };
const names = (objs: readonly Obj[]): string[] => objs.map((o) => `${o.kind ?? '?'}/${o.metadata?.name ?? '?'}`).sort();
const yamlObjects = (text: string): Obj[] => parseAllDocuments(text).map((d) => d.toJS() as Obj);

beforeAll(async () => {
  api = await startApiServer();
  await seedCluster(api.kubeConfig(), { withoutDemoWorkloads: true });
  dir = await mkdtemp(path.join(tmpdir(), 'backup-cmd-'));
});
afterAll(async () => {
  await api.close();
  await rm(dir, { recursive: true, force: true });
});

describe('cni-migrate backup on the simulated cluster', () => {
  let live: Obj[] = [];

  it('when run while Calico is installed, then the file holds every object worth keeping from the live CRDs, apply-ready', async () => {
    const file = path.join(dir, 'calico-backup.yaml');
    const r = await run('backup', '-f', file);
    expect(r).toMatchObject({ code: 0, err: '' });
    live = yamlObjects(await readFile(file, 'utf8'));
    expect(r.out).toBe(`backed up ${live.length} Calico objects from the live cluster to ${file} (ippools=1 felixconfigurations=1 networkpolicies=1 globalnetworkpolicies=1 globalnetworksets=1 hostendpoints=1)\n`);
    expect(names(live)).toEqual(expect.arrayContaining(['IPPool/default-ipv4-ippool', 'FelixConfiguration/default']));
    for (const o of live) {
      expect(o.apiVersion).toBe('crd.projectcalico.org/v1');
      expect(o.metadata?.resourceVersion).toBeUndefined();
      expect(o.metadata?.uid).toBeUndefined();
    }
    const toStdout = await run('backup', '-f', '-');
    expect(toStdout.code).toBe(0);
    expect(yamlObjects(toStdout.out)).toEqual(live);
  });

  it('when the CRDs are gone after the stage stored its backup, then the same objects come from the stored ConfigMaps, as JSON too', async () => {
    await api.kubeConfig().makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: NAMESPACE } } });
    await calicoBackupApi(api.kubeConfig(), NAMESPACE).store();
    const ext = api.kubeConfig().makeApiClient(ApiextensionsV1Api);
    const crds = (await ext.listCustomResourceDefinition()).items.filter((c) => c.spec.group === 'crd.projectcalico.org');
    for (const c of crds) await ext.deleteCustomResourceDefinition({ name: c.metadata?.name ?? '' });
    const yamlFile = path.join(dir, 'stored.yaml');
    const r = await run('backup', '-f', yamlFile);
    expect(r.code).toBe(0);
    expect(r.out).toContain('from the stored backup ConfigMaps');
    expect(yamlObjects(await readFile(yamlFile, 'utf8'))).toEqual(live);
    const jsonFile = path.join(dir, 'stored.json');
    expect((await run('backup', '-f', jsonFile, '-o', 'json', '--from', 'stored')).code).toBe(0);
    const list = JSON.parse(await readFile(jsonFile, 'utf8')) as { kind: string; items: Obj[] };
    expect(list.kind).toBe('List');
    expect(list.items).toEqual(live);
  });

  it('when the file exists, then it exits 2 naming it and leaves the file as it was', async () => {
    const file = path.join(dir, 'keep.yaml');
    await writeFile(file, 'mine\n');
    const r = await run('backup', '-f', file);
    expect(r).toMatchObject({ code: 2, err: `-f ${file}: the file exists; a backup never overwrites one (choose another name)` });
    expect(await readFile(file, 'utf8')).toBe('mine\n');
  });

  it('when the live cluster is asked and holds no Calico objects any more, then one clear line, exit 1, and no file', async () => {
    const file = path.join(dir, 'none.yaml');
    const r = await run('backup', '-f', file, '--from', 'live');
    expect(r).toMatchObject({ code: 1, err: 'no Calico objects to back up in the live cluster; nothing written' });
    await expect(readFile(file)).rejects.toThrow(/ENOENT/);
  });

  it('when -f is missing or the format is unknown, then it is a usage error (exit 2)', async () => {
    expect((await run('backup')).code).toBe(2);
    expect((await run('backup', '-f', path.join(dir, 'x'), '-o', 'xml')).code).toBe(2);
  });
});
