import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildBinaries } from '../../bin/support/build-binaries.js';
import { createInterface } from 'node:readline';
import { execa } from 'execa';
import { AppsV1Api, CoreV1Api } from '@kubernetes/client-node';
import { startApiServer, type SimApiServer } from '../../../sim/apiserver/index.js';
import { startSimCluster } from '../../../sim/index.js';
import { parseSimFlags, simOptionsFrom } from '../../../sim/cli/cli.js';
import { selfSignedArgv } from '../../../sim/cli/self-signed.js';

let MAIN = '';
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sim-cli-'));
  // Transpiled without type checking (typecheck is its own step): a type-checking build took most of this file's time.
  MAIN = join(await buildBinaries('sim-cli-test'), 'sim', 'cli', 'main.js');
}, 120_000);

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('sim CLI flags', () => {
  it.each<[string, Record<string, unknown>, string]>([
    ['a non-numeric node count', { nodes: 'six' }, '--nodes must be a number'],
    ['zero nodes', { nodes: '0' }, '--nodes must be at least 1'],
    ['more control planes than nodes', { nodes: '2', controlPlanes: '3' }, '--control-planes must not exceed --nodes'],
    ['the third mode with a port', { kubeconfig: '/x', port: '0' }, 'cannot be combined'],
    ['a node prefix with upper case', { nodePrefix: 'Demo' }, 'RFC 1123'],
    ['a Calico pool that is not a CIDR', { calicoPool: '192.168.0.0' }, 'must be an IPv4 CIDR'],
    ['an unknown scenario', { scenario: ['everything-broken'] }, 'invalid flags'],
  ])('when given %s, then a ConfigError names the problem', (_name, raw, message) => {
    expect(() => parseSimFlags(raw)).toThrow(message);
  });

  it('when given plain numbers, then they are parsed with defaults filled in', () => {
    expect(parseSimFlags({ port: '0', nodes: '3' })).toMatchObject({ port: 0, nodes: 3, controlPlanes: 1, nodePrefix: 'sim', seed: 1, insecureHttp: false, logLevel: 'info' });
  });

  it('when the Lease and status intervals are given, then the kubelets get them apart', () => {
    const options = simOptionsFrom(parseSimFlags({ heartbeatIntervalMs: '10000', statusReportIntervalMs: '60000' }));
    expect(options).toMatchObject({ heartbeatIntervalMs: 10_000, statusReportIntervalMs: 60_000 });
    expect(() => parseSimFlags({ statusReportIntervalMs: '-1' })).toThrow('--status-report-interval-ms');
  });

  it('when the cluster shape is given, then the seed settings carry it', () => {
    const flags = parseSimFlags({ calicoInstall: 'operator', calicoPool: '192.168.0.0/16', ciliumHelm: false, scenario: ['first-found'] });
    expect(simOptionsFrom(flags).shape).toEqual({ calicoInstall: 'operator', calicoPool: '192.168.0.0/16', ciliumPool: '10.245.0.0/16', ciliumHelm: false, breaks: ['first-found'] });
  });

  it('when the certificate is for an address or a name, then the SAN says so', () => {
    expect(selfSignedArgv('127.0.0.1', 'k', 'c')).toContain('subjectAltName=IP:127.0.0.1');
    expect(selfSignedArgv('sim.local', 'k', 'c')).toContain('subjectAltName=DNS:sim.local');
  });
});

describe('sim CLI process', () => {
  it('when started standalone, then it prints the URL, writes a kubeconfig kubectl can use, and stops on SIGTERM', async () => {
    const kubeconfig = join(dir, 'admin.kubeconfig');
    const child = execa('node', [MAIN, '--port', '0', '--nodes', '3', '--write-kubeconfig', kubeconfig, '--log-level', 'warn'], { reject: false });
    const lines = createInterface({ input: child.stdout });
    const url = await new Promise<string>((resolve) => lines.once('line', resolve));
    expect(url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const nodes = await execa('kubectl', ['--kubeconfig', kubeconfig, 'get', 'nodes', '-o', 'name']);
    expect(nodes.stdout.split('\n').sort()).toEqual(['node/sim-cp-1', 'node/sim-worker-1', 'node/sim-worker-2']);
    child.kill('SIGTERM');
    const result = await child;
    expect(result.exitCode).toBe(0);
  });

  it.each<[string, string[]]>([
    ['a bad node count', ['--nodes', 'many']],
    ['an unknown flag', ['--bogus']],
    ['a node prefix that is not a label', ['--node-prefix', 'Not_A_Label']],
    ['the third mode mixed with --write-kubeconfig', ['--kubeconfig', '/nonexistent', '--write-kubeconfig', '/tmp/x']],
  ])('when started with %s, then it exits 2 with a message', async (_name, args) => {
    const result = await execa('node', [MAIN, ...args], { reject: false });
    expect(result.exitCode).toBe(2);
    expect(result.stderr.length).toBeGreaterThan(0);
  });
});

describe('third mode: kubelets against an existing API server', () => {
  let api: SimApiServer;

  beforeAll(async () => {
    api = await startApiServer();
  });

  afterAll(async () => {
    await api.close();
  });

  it('when pointed at a kubeconfig, then it seeds, registers Ready nodes, and runs no controllers', async () => {
    const path = join(dir, 'existing.kubeconfig');
    writeFileSync(path, api.kubeConfig().exportConfig());
    const sim = await startSimCluster({ nodes: 2, kubeconfig: path });
    try {
      expect(sim.api).toBeUndefined();
      const core = sim.kubeConfig().makeApiClient(CoreV1Api);
      const nodes = (await core.listNode()).items;
      expect(nodes.map((n) => n.metadata?.name)).toEqual(['sim-cp-1', 'sim-worker-1']);
      expect(nodes.filter((n) => !(n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false)).map((n) => n.metadata?.name)).toEqual([]);
      const apps = sim.kubeConfig().makeApiClient(AppsV1Api);
      expect((await apps.readNamespacedDaemonSet({ name: 'cilium', namespace: 'kube-system' })).metadata?.name).toBe('cilium');
      await sim.settled();
      expect((await core.listNamespacedPod({ namespace: 'kube-system' })).items).toHaveLength(0);
    } finally {
      await sim.close();
    }
  });

  it.each<[string, Parameters<typeof startSimCluster>[0]]>([
    ['no nodes', { nodes: 0 }],
    ['more control planes than nodes', { nodes: 1, controlPlanes: 2 }],
    ['a negative reboot downtime', { nodes: 1, rebootDowntimeMs: -1 }],
  ])('when the options ask for %s, then startup fails with a ConfigError before touching anything', async (_name, opts) => {
    await expect(startSimCluster(opts)).rejects.toMatchObject({ code: 'ConfigInvalid' });
  });

  it('when the kubeconfig cannot be read, then startup fails with a ConfigError', async () => {
    await expect(startSimCluster({ nodes: 1, kubeconfig: join(dir, 'missing') })).rejects.toMatchObject({ code: 'ConfigInvalid' });
  });
});
