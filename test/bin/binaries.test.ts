import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { chmod, mkdir, mkdtemp, readlink, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { execa } from 'execa';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { buildBinaries } from './support/build-binaries.js';
import { startBinary, type RunningBinary } from './support/spawn-binary.js';
import { REPO_ROOT, renderDeploy } from '../deploy/support/manifests.js';
import { startApiServer, type SimApiServer } from '../../sim/apiserver/index.js';
import { freePort } from '../support/free-port.js';
import { waitFor } from '../support/wait-for.js';

let agentMain = '';
let coordinatorMain = '';
const running: RunningBinary[] = [];
let api: SimApiServer;
let workDir = '';

/** A kubeconfig file (and the raw token) for one of the deploy/ ServiceAccounts on the simulated API server. */
async function credentialsFor(serviceAccount: string, audiences?: string[]): Promise<{ kubeconfig: string; token: string }> {
  const token = api.issueServiceAccountToken({ namespace: 'cni-migrate', serviceAccount, ...(audiences ? { audiences } : {}) });
  const kubeconfig = join(workDir, `${serviceAccount}.kubeconfig`);
  await writeFile(kubeconfig, api.kubeConfig({ token }).exportConfig());
  const tokenFile = join(workDir, `${serviceAccount}.token`);
  await writeFile(tokenFile, token);
  return { kubeconfig, token: tokenFile };
}

let agentArgs: string[] = [];
let coordinatorArgs: string[] = [];

beforeAll(async () => {
  const out = await buildBinaries('bin-test');
  agentMain = join(out, 'agent', 'main.js');
  coordinatorMain = join(out, 'coordinator', 'main.js');
  // A cluster for the binaries to talk to: the simulated API server with deploy/ applied (RBAC, CRD).
  api = await startApiServer();
  api.applyManifests((await renderDeploy()).map((o) => ({ ...o })));
  workDir = await mkdtemp(join(tmpdir(), 'cni-migrate-bin-'));
  const agentCreds = await credentialsFor('cni-migrate-agent', ['cni-migrate']);
  const coordinatorCreds = await credentialsFor('cni-migrate-coordinator');
  agentArgs = ['--kubeconfig', agentCreds.kubeconfig, '--token-path', agentCreds.token, '--pod-uid', 'f2b7c1d0-0000-4000-8000-000000000001'];
  coordinatorArgs = ['--kubeconfig', coordinatorCreds.kubeconfig];
});

afterAll(async () => {
  await api.close();
  await rm(workDir, { recursive: true, force: true });
});

afterEach(async () => {
  for (const b of running.splice(0)) {
    if (b.child.exitCode === null && b.child.signalCode === null) b.child.kill('SIGKILL');
    await b.exited;
  }
});

const run = (script: string, args: string[], env: Record<string, string> = {}): RunningBinary => {
  const b = startBinary(script, args, env);
  running.push(b);
  return b;
};

/** Waits until GET url answers `want` (the deadline only bounds a failure, which names the last answer). */
async function statusOf(url: string, want: number): Promise<number> {
  return waitFor(
    `GET ${url} to answer ${want}`,
    async () => {
      const got = await fetch(url).then(
        (r) => r.status,
        (e: unknown) => String(e),
      );
      if (got !== want) throw new Error(`answered ${got}`);
      return want;
    },
    { timeoutMs: 60_000, intervalMs: 50 },
  );
}

async function listening(port: number): Promise<boolean> {
  return fetch(`http://127.0.0.1:${port}/healthz`).then(
    () => true,
    () => false,
  );
}

const AGENT_IDENTITY = ['--node-name', 'worker-1', '--pod-name', 'cni-migrate-agent-x7k2p'];
const AGENT_QUIET = ['--coordinator-url', 'http://127.0.0.1:9', '--boot-id-override', '0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9'];

describe.each([
  ['cni-migrate-agent run', () => agentMain, () => ['run', ...AGENT_IDENTITY, ...AGENT_QUIET, ...agentArgs, '--health-bind', '127.0.0.1', '--health-port', '0'], 'healthPort'],
  ['cni-migrate coordinator', () => coordinatorMain, () => ['coordinator', ...coordinatorArgs, '--bind-address', '127.0.0.1', '--port', '0'], 'port'],
])('%s', (_name, script, args, portField) => {
  it('when started on port 0, then its start line names the port, /healthz and /readyz answer 200, and SIGTERM exits 0', async () => {
    const b = run(script(), args());
    const start = await b.waitForLine((l) => typeof l[portField] === 'number', 10_000);
    const port = Number(start[portField]);
    expect(port).toBeGreaterThan(0);
    expect(await statusOf(`http://127.0.0.1:${port}/healthz`, 200)).toBe(200);
    expect(await statusOf(`http://127.0.0.1:${port}/readyz`, 200)).toBe(200);
    b.child.kill('SIGTERM');
    expect(await b.exitWithin(5000)).toEqual({ code: 0, signal: null });
    expect(await listening(port)).toBe(false);
  });
});

describe('bad input', () => {
  it('when the agent gets a bad flag value, then it exits 2 naming the flag and env variable, and never listens', async () => {
    const port = await freePort();
    const b = run(agentMain, ['run', ...AGENT_IDENTITY, '--health-port', String(port), '--reboot-method', 'kexec']);
    expect(await b.exitWithin(10_000)).toEqual({ code: 2, signal: null });
    expect(b.stderr()).toContain('--reboot-method / CNI_MIGRATE_AGENT_REBOOT_METHOD');
    expect(b.stderr()).toContain('"kexec"');
    expect(b.lines.filter((l) => 'healthPort' in l)).toEqual([]);
    expect(await listening(port)).toBe(false);
  });

  it('when the coordinator gets a bad env value, then it exits 2 naming the key, and never listens', async () => {
    const port = await freePort();
    const b = run(coordinatorMain, ['coordinator', '--port', String(port)], { CNI_MIGRATE_LEASE_DURATION_SECONDS: 'long' });
    expect(await b.exitWithin(10_000)).toEqual({ code: 2, signal: null });
    expect(b.stderr()).toContain('--lease-duration-seconds / CNI_MIGRATE_LEASE_DURATION_SECONDS');
    expect(b.lines.filter((l) => 'port' in l)).toEqual([]);
    expect(await listening(port)).toBe(false);
  });

  it('when the agent is started without its node name, then it exits 2 naming the missing key', async () => {
    const b = run(agentMain, ['run', '--pod-name', 'p', '--health-port', '0']);
    expect(await b.exitWithin(10_000)).toEqual({ code: 2, signal: null });
    expect(b.stderr()).toMatch(/--node-name \/ CNI_MIGRATE_AGENT_NODE_NAME: .*\(got nothing\)/);
  });

  it('when the coordinator runs outside a pod without --kubeconfig, then it exits 2 with one line and never listens', async () => {
    const port = await freePort();
    const b = run(coordinatorMain, ['coordinator', '--port', String(port)]);
    expect(await b.exitWithin(10_000)).toEqual({ code: 2, signal: null });
    expect(b.stderr().trim().split('\n')).toEqual([
      'cni-migrate: no cluster configuration: not running in a pod (KUBERNETES_SERVICE_HOST is unset) and no --kubeconfig given',
    ]);
    expect(await listening(port)).toBe(false);
  });

  it('when the API server drops every connection, then the coordinator retries with a doubling, jittered backoff, logs one line per failure streak without a stack and is not ready', async () => {
    // A port that takes each connection, notes which request came and cuts it: every watch fails at once, and the
    // test sees each retry (a closed port would refuse without a trace). Deadlines below only bound a failure.
    const nodeAttempts: number[] = [];
    const sockets = new Set<Socket>();
    const dropper = createServer((socket) => {
      sockets.add(socket);
      socket.once('data', (b: Buffer) => {
        if (/^GET \/api\/v1\/nodes[?\s]/.test(b.toString('latin1'))) nodeAttempts.push(performance.now());
        socket.destroy();
      });
      socket.on('error', () => undefined);
      socket.once('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => dropper.listen(0, '127.0.0.1', resolve));
    const apiPort = (dropper.address() as AddressInfo).port;
    try {
      const dropping = join(workDir, 'dropping.kubeconfig');
      await writeFile(dropping, api.kubeConfig({ token: 'x' }).exportConfig().replace(/("server":\s*")https?:\/\/[^:"]+:\d+/, `$1http://127.0.0.1:${apiPort}`));
      const b = run(coordinatorMain, ['coordinator', '--kubeconfig', dropping, '--bind-address', '127.0.0.1', '--port', '0']);
      const port = Number((await b.waitForLine((l) => typeof l['port'] === 'number', 10_000))['port']);
      // Four attempts of the nodes watch: the first and three retries.
      await waitFor('the nodes watch to be retried three times', () => nodeAttempts.length >= 4, { timeoutMs: 60_000 });
      const gaps = nodeAttempts.slice(1, 4).map((t, i) => t - (nodeAttempts[i] ?? t));
      // Each retry waits at least the jittered floor of its doubling delay (0.8 s, 1.6 s, 3.2 s, each down to half);
      // load only lengthens a wait, so a fixed or shrinking delay fails here.
      const floors = [400, 800, 1600];
      expect(gaps.map((g, i) => g >= (floors[i] ?? 0) - 5)).toEqual([true, true, true]);
      const nodeWatch = (l: Record<string, unknown>): boolean => l['what'] === 'nodes' && String(l['msg']).startsWith('watch failed');
      const logged = b.lines.filter(nodeWatch);
      // One line for the whole streak, with the first delay (which the first retry waited) and no stack.
      expect(logged).toHaveLength(1);
      const first = logged[0] ?? {};
      expect(first['retryInMs']).toEqual(expect.any(Number));
      expect(Number(first['retryInMs'])).toBeGreaterThanOrEqual(400);
      expect(Number(first['retryInMs'])).toBeLessThanOrEqual(800);
      expect(gaps[0] ?? 0).toBeGreaterThanOrEqual(Number(first['retryInMs']) - 5);
      expect(String(first['err'])).not.toMatch(/\n\s*at /);
      expect(JSON.stringify(b.lines)).not.toMatch(/\\n\s*at /);
      expect(b.stderr()).toBe('');
      expect(b.lines.filter((l) => 'text' in l)).toEqual([]);
      expect(await statusOf(`http://127.0.0.1:${port}/readyz`, 503)).toBe(503);
    } finally {
      sockets.forEach((s) => s.destroy());
      await new Promise<void>((resolve) => dropper.close(() => resolve()));
    }
  });

  it('when a flag does not exist, then the binary exits 2 and says so', async () => {
    const b = run(coordinatorMain, ['coordinator', '--no-such-flag', 'x']);
    expect(await b.exitWithin(10_000)).toEqual({ code: 2, signal: null });
    expect(b.stderr()).toContain("unknown option '--no-such-flag'");
  });
});

describe('installing the CLI', () => {
  it('when installed with npm, then cni-migrate and the kubectl plugin kubectl-cni_migrate are on the PATH, both the coordinator binary', async () => {
    const prefix = join(workDir, 'prefix');
    // As the README: build first (npm links a bin only when its file exists), then install.
    const build = await execa('node', ['scripts/build-if-stale.cjs'], { cwd: REPO_ROOT, reject: false });
    expect({ exitCode: build.exitCode, stderr: build.stderr }).toEqual({ exitCode: 0, stderr: '' });
    const r = await execa('npm', ['install', '--global', '--prefix', prefix, '--no-audit', '--no-fund', '.'], { cwd: REPO_ROOT, reject: false });
    expect(r.exitCode).toBe(0);
    const target = async (name: string) => realpath(join(prefix, 'bin', name)).catch(() => readlink(join(prefix, 'bin', name)));
    expect(await target('kubectl-cni_migrate')).toBe(await target('cni-migrate'));
    expect(await target('cni-migrate')).toMatch(/dist\/coordinator\/main\.js$/);
  });

  it('when run as a kubectl plugin, then `kubectl cni-migrate status` shows the rollout', async () => {
    const bin = join(workDir, 'plugin-bin');
    await mkdir(bin, { recursive: true });
    await chmod(coordinatorMain, 0o755);
    await symlink(coordinatorMain, join(bin, 'kubectl-cni_migrate'));
    const admin = join(workDir, 'admin.kubeconfig');
    await writeFile(admin, api.kubeConfig().exportConfig());
    const env = { PATH: `${bin}:${process.env.PATH ?? ''}` };
    const version = await execa('kubectl', ['cni-migrate', '--version'], { env, reject: false });
    expect(version.stdout).toMatch(/^\d+\.\d+\.\d+/);
    const status = await execa('kubectl', ['cni-migrate', 'status', '--kubeconfig', admin], { env, reject: false });
    expect(status.stderr).toContain('Migration "default" not found: apply deploy/migration-default.yaml first');
    expect(status.exitCode).toBe(1);
  });
});
