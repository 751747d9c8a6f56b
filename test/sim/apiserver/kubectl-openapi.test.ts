/**
 * kubectl (the real binary) as a new user runs it against the simulated API server, with no flag a real
 * server would not need: `apply -k deploy/` with validation on (the server publishes the OpenAPI documents
 * kubectl checks for server-side field validation, and validates the Migration against its CRD schema),
 * `get nodes` with the server-side Table columns, and events selected by their source.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import type { SimApiServer } from '../../../sim/apiserver/index.js';
import { startKubectlSim, type KubectlSim } from './kubectl-sim.js';
import { GOLDEN_DIR } from './golden-harness.js';

const DEPLOY = resolve(GOLDEN_DIR, '..', '..', '..', 'deploy');
let sim: KubectlSim;
let dir: string;
let server: SimApiServer;
const kubectl = (...args: string[]): ReturnType<KubectlSim['kubectl']> => sim.kubectl(...args);

const event = (name: string, component: string, reason: string): Record<string, unknown> => ({
  apiVersion: 'v1',
  kind: 'Event',
  metadata: { name, namespace: 'default' },
  involvedObject: { kind: 'Node', name: 'sim-w1', apiVersion: 'v1' },
  reason,
  message: `${reason} on sim-w1`,
  source: { component },
  type: 'Normal',
  count: 1,
  firstTimestamp: '2026-11-27T12:00:00Z',
  lastTimestamp: '2026-11-27T12:00:00Z',
});

describe('kubectl as a new user runs it against the simulated API server', () => {
  beforeAll(async () => {
    sim = await startKubectlSim('sim-kubectl-openapi-');
    ({ dir, server } = sim);
    server.applyManifests([
      {
        apiVersion: 'v1',
        kind: 'Node',
        metadata: { name: 'sim-w1' },
        status: { conditions: [{ type: 'Ready', status: 'True' }], nodeInfo: { kubeletVersion: 'v1.28.7' }, addresses: [{ type: 'InternalIP', address: '172.18.0.3' }] },
      },
      event('sim-w1.1', 'cni-migrate', 'NodeCordoned'),
      event('sim-w1.2', 'kubelet', 'Rebooted'),
    ]);
  });

  afterAll(async () => {
    await sim?.close();
  });

  it('when kubectl apply -k deploy/ runs with validation on, then every object is created, and a second run changes nothing', async () => {
    const first = await kubectl('apply', '-k', DEPLOY);
    expect({ exitCode: first.exitCode, stderr: first.stderr }).toEqual({ exitCode: 0, stderr: '' });
    expect(first.stdout).toContain('customresourcedefinition.apiextensions.k8s.io/migrations.cni-migrate.io created');
    expect(first.stdout).toContain('daemonset.apps/cni-migrate-agent created');
    expect(first.stdout).toContain('deployment.apps/cni-migrate-coordinator created');
    const again = await kubectl('apply', '-k', DEPLOY);
    expect({ exitCode: again.exitCode, stderr: again.stderr }).toEqual({ exitCode: 0, stderr: '' });
    expect(again.stdout).not.toMatch(/ (created|configured)$/m);
  });

  it('when the Migration is applied, then it is validated against the CRD schema: valid passes, an unknown field is refused', async () => {
    const ok = await kubectl('apply', '-f', join(DEPLOY, 'migration-default.yaml'));
    expect({ exitCode: ok.exitCode, stdout: ok.stdout }).toEqual({ exitCode: 0, stdout: 'migration.cni-migrate.io/default created' });
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, readFileSync(join(DEPLOY, 'migration-default.yaml'), 'utf8').replace('spec:\n', 'spec:\n  bogus: 1\n'));
    const refused = await kubectl('apply', '-f', bad);
    expect(refused.exitCode).not.toBe(0);
    expect(refused.stderr).toContain('unknown field "spec.bogus"');
    const table = await kubectl('get', 'migrations');
    const crd = parse(readFileSync(join(DEPLOY, 'crd-migration.yaml'), 'utf8')) as { spec: { versions: { additionalPrinterColumns: { name: string }[] }[] } };
    const columns = crd.spec.versions[0]?.additionalPrinterColumns.map((c) => c.name.toUpperCase()) ?? [];
    expect(table.stdout.split('\n')[0]?.split(/\s{2,}/)).toEqual(['NAME', ...columns]);
    // a Migration with no status yet: every status column is a null cell, printed blank
    expect(table.stdout.split('\n')[1]).toMatch(/^default\s+\d+s$/);
  });

  it('when kubectl get nodes runs, then it prints the server’s Table columns (and the wide ones with -o wide)', async () => {
    const plain = await kubectl('get', 'nodes');
    expect(plain.exitCode).toBe(0);
    expect(plain.stdout.split('\n')[0]?.split(/\s+/)).toEqual(['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION']);
    expect(plain.stdout.split('\n')[1]?.split(/\s+/)).toEqual(['sim-w1', 'Ready', '<none>', expect.stringMatching(/^\d+s$/), 'v1.28.7']);
    const wide = await kubectl('get', 'nodes', '-o', 'wide');
    expect(wide.stdout.split('\n')[0]).toMatch(/INTERNAL-IP\s+EXTERNAL-IP\s+OS-IMAGE\s+KERNEL-VERSION\s+CONTAINER-RUNTIME/);
    expect(wide.stdout).toContain('172.18.0.3');
  });

  it('when events are selected by source, then only the tool’s own are listed', async () => {
    const r = await kubectl('get', 'events', '-n', 'default', '--field-selector', 'source=cni-migrate');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('NodeCordoned');
    expect(r.stdout).not.toContain('Rebooted');
    expect(r.stdout.split('\n')[0]?.split(/\s{2,}/)).toEqual(['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE']);
    const wrong = await kubectl('get', 'events', '--field-selector', 'source.component=cni-migrate');
    expect(wrong.exitCode).not.toBe(0);
    expect(wrong.stderr).toContain('field label not supported: source.component');
  });
});
