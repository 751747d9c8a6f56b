/**
 * `bench:migrate`'s coordinator: the real binary (`cni-migrate coordinator`) alone in its process, started as
 * deploy/'s Deployment starts it: the container's literal environment, NODE_OPTIONS (Node's flags) included,
 * and what its pod would get from the downward API filled in for loopback. The figures are then of the
 * coordinator as deployed, with nothing of the simulator loaded. The only addition is coordinator-side.js
 * (`--import`), which answers the driver's usage question.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { KubeConfig } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { z } from 'zod';
import { Child } from './child.js';
import type { CoordinatorUsage } from './protocol.js';

const here = path.dirname(fileURLToPath(import.meta.url));
/** The binary the image runs (dist/coordinator/main.js, at the same depth below the bench in every build). */
const COORDINATOR_MAIN = path.resolve(here, '..', '..', '..', 'coordinator', 'main.js');
const USAGE_PROBE = pathToFileURL(path.join(here, 'coordinator-side.js')).href;

const DeploymentSchema = z.looseObject({
  metadata: z.looseObject({ namespace: z.string() }),
  spec: z.looseObject({
    template: z.looseObject({
      spec: z.looseObject({
        containers: z.array(z.looseObject({ name: z.string(), env: z.array(z.looseObject({ name: z.string(), value: z.string().optional() })).default([]) })),
      }),
    }),
  }),
});

export interface DeployedCoordinator {
  namespace: string;
  /** The container's env variables with a literal value (NODE_OPTIONS among them). */
  env: Record<string, string>;
}

/** What deploy/coordinator-deployment.yaml sets for the coordinator container. */
export async function deployedCoordinator(deployDir: string): Promise<DeployedCoordinator> {
  const d = DeploymentSchema.parse(parse(await readFile(path.join(deployDir, 'coordinator-deployment.yaml'), 'utf8')));
  const container = d.spec.template.spec.containers.find((c) => c.name === 'coordinator');
  if (!container) throw new Error('deploy/coordinator-deployment.yaml has no coordinator container');
  const env = Object.fromEntries(container.env.flatMap((e) => (e.value !== undefined ? [[e.name, e.value]] : [])));
  return { namespace: d.metadata.namespace, env };
}

/** Deadlines far beyond anything the bench should take (a halt is a finding, never a pass), and the demo's TokenReview cache. */
const BENCH_SETTINGS = {
  CNI_MIGRATE_DRAIN_TIMEOUT_SECONDS: '600',
  CNI_MIGRATE_REBOOT_TIMEOUT_SECONDS: '600',
  CNI_MIGRATE_VALIDATE_TIMEOUT_SECONDS: '600',
  CNI_MIGRATE_STARTUP_TIMEOUT_SECONDS: '600',
  CNI_MIGRATE_LEASE_DURATION_SECONDS: '15',
  CNI_MIGRATE_TOKEN_CACHE_SECONDS: '120',
};

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise((resolve) => s.close(resolve));
  return port;
}

function kubeconfigYaml(server: string, token: string): string {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'sim', server, skipTLSVerify: true }],
    users: [{ name: 'cni-migrate-coordinator', token }],
    contexts: [{ name: 'sim', cluster: 'sim', user: 'cni-migrate-coordinator' }],
    currentContext: 'sim',
  });
  return kc.exportConfig();
}

/** Polls /readyz (the Deployment's readiness probe) until the coordinator leads, the process ends, or the deadline passes. */
async function untilReady(url: string, child: Child, deadlineMs: number): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  let ended: Error | undefined;
  void child.exited.then((e) => (ended = e));
  for (;;) {
    if (ended) throw ended;
    const status = await fetch(url).then((r) => r.status, () => 0);
    if (status === 200) return;
    if (Date.now() > deadline) throw new Error(`coordinator not ready within ${deadlineMs / 1000}s (last /readyz: ${status || 'no answer'})`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export class BenchCoordinator {
  private constructor(
    private readonly child: Child,
    private readonly dir: string,
  ) {}

  /** Starts the binary against the API server with the coordinator ServiceAccount's token; resolves once it leads. */
  static async start(deployDir: string, server: string, token: string, deadlineMs: number): Promise<BenchCoordinator> {
    const deployed = await deployedCoordinator(deployDir);
    const dir = await mkdtemp(path.join(tmpdir(), 'bench-coordinator-'));
    const kubeconfig = path.join(dir, 'kubeconfig');
    await writeFile(kubeconfig, kubeconfigYaml(server, token));
    const port = await freePort();
    const env = {
      PATH: process.env.PATH,
      ...deployed.env,
      ...BENCH_SETTINGS,
      CNI_MIGRATE_KUBECONFIG: kubeconfig,
      CNI_MIGRATE_NAMESPACE: deployed.namespace,
      CNI_MIGRATE_POD_NAME: 'cni-migrate-coordinator-bench',
      CNI_MIGRATE_BIND_ADDRESS: '127.0.0.1',
      CNI_MIGRATE_ADVERTISE_ADDRESS: '127.0.0.1',
      CNI_MIGRATE_PORT: String(port),
      // BENCH_LOG=<level> shows the coordinator's log on stderr (to find why a run stalls).
      CNI_MIGRATE_LOG_LEVEL: process.env.BENCH_LOG ?? 'silent',
      ...(process.env.BENCH_HEAP_SNAPSHOT ? { BENCH_HEAP_SNAPSHOT: process.env.BENCH_HEAP_SNAPSHOT } : {}),
    };
    const child = new Child(COORDINATOR_MAIN, { args: ['coordinator'], execArgv: ['--import', USAGE_PROBE], env, stopWith: 'SIGTERM', stdout: 'stderr' });
    const started = new BenchCoordinator(child, dir);
    await untilReady(`http://127.0.0.1:${port}/readyz`, child, deadlineMs).catch(async (e: unknown) => {
      await started.stop();
      throw e;
    });
    return started;
  }

  usage(): Promise<CoordinatorUsage> {
    // A heap snapshot (BENCH_HEAP_SNAPSHOT) of a large heap takes minutes on a loaded machine.
    return this.child.ask({ kind: 'usage' }, 'usage', process.env.BENCH_HEAP_SNAPSHOT ? 600_000 : 10_000);
  }

  async stop(): Promise<void> {
    await this.child.stop();
    await rm(this.dir, { recursive: true, force: true });
  }
}
