/**
 * `npm run bench:sim`: the simulated API server at cluster scale. Creates N nodes and M pods (bound with
 * nodeName; no kubelets or controllers), then measures
 *  - field-selected pod lists (`spec.nodeName=X`, what every agent asks): requests per second and latency;
 *  - watch fan-out: W watchers on one node's pods, the time from a write to each watcher receiving it.
 * All traffic goes through client-node over HTTP. The last line printed is one JSON document.
 */
import { performance } from 'node:perf_hooks';
import { Command, Option } from 'commander';
import { z } from 'zod';
import { CoreV1Api, PatchStrategy, setHeaderOptions, Watch, type KubeConfig, type V1Node, type V1Pod } from '@kubernetes/client-node';
import { startApiServer, type SimApiServer } from '../../sim/apiserver/index.js';
import { buildNode, nodeInternalIP } from '../../sim/cluster/node-objects.js';

const OptionsSchema = z.strictObject({
  nodes: z.coerce.number().int().min(1).max(20_000),
  pods: z.coerce.number().int().min(1).max(200_000),
  watchers: z.coerce.number().int().min(1).max(5_000),
  writes: z.coerce.number().int().min(1).max(1_000),
  listSeconds: z.coerce.number().positive().max(60),
  concurrency: z.coerce.number().int().min(1).max(512),
  httpSample: z.coerce.number().int().min(0).max(200_000),
});
type BenchOptions = z.infer<typeof OptionsSchema>;

const NAMESPACE = 'bench';
const nodeName = (i: number): string => `bench-node-${i}`;
const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/** Run `task(0..total-1)` with at most `width` in flight. */
async function inPool(total: number, width: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < total) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(width, total) }, worker));
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return Math.round((sorted[i] ?? 0) * 100) / 100;
}

function summary(samples: number[]): { p50: number; p99: number; max: number; n: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: percentile(sorted, 100), n: sorted.length };
}

const benchNode = (i: number): V1Node => buildNode({ name: nodeName(i), index: i, controlPlane: false, internalIP: nodeInternalIP(i), kernel: '6.1.0' });

function benchPod(i: number, nodes: number): V1Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `pod-${i}`, namespace: NAMESPACE, labels: { app: `app-${i % 50}` } },
    spec: { nodeName: nodeName(i % nodes), containers: [{ name: 'c', image: 'busybox' }] },
  };
}

/**
 * Nodes and the first `httpSample` pods are created over HTTP through client-node (and timed); the bulk
 * of the pods goes in through the server's apply hook, which is setup, not what is measured.
 */
async function populate(api: SimApiServer, core: CoreV1Api, opts: BenchOptions): Promise<Record<string, number>> {
  await core.createNamespace({ body: { metadata: { name: NAMESPACE } } });
  let t = performance.now();
  await inPool(opts.nodes, opts.concurrency, async (i) => {
    await core.createNode({ body: benchNode(i) });
  });
  const nodesPerSec = opts.nodes / ((performance.now() - t) / 1000);
  const sample = Math.min(opts.httpSample, opts.pods);
  t = performance.now();
  await inPool(sample, opts.concurrency, async (i) => {
    await core.createNamespacedPod({ namespace: NAMESPACE, body: benchPod(i, opts.nodes) });
  });
  const podsPerSec = sample / ((performance.now() - t) / 1000);
  for (let from = sample; from < opts.pods; from += 5000) {
    const chunk = Array.from({ length: Math.min(5000, opts.pods - from) }, (_, k) => JSON.parse(JSON.stringify(benchPod(from + k, opts.nodes))) as Record<string, unknown>);
    api.applyManifests(chunk);
  }
  return { nodesPerSec: Math.round(nodesPerSec), podsPerSec: Math.round(podsPerSec), podsOverHttp: sample, podsBulk: Math.max(0, opts.pods - sample) };
}

async function measureFieldSelectedLists(core: CoreV1Api, opts: BenchOptions): Promise<Record<string, number>> {
  const latencies: number[] = [];
  const until = performance.now() + opts.listSeconds * 1000;
  let items = 0;
  let seq = 0;
  const worker = async (): Promise<void> => {
    while (performance.now() < until) {
      const node = nodeName((seq++ * 7919) % opts.nodes);
      const t = performance.now();
      const list = await core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${node}` });
      latencies.push(performance.now() - t);
      items += list.items.length;
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: opts.concurrency }, worker));
  const seconds = (performance.now() - start) / 1000;
  const s = summary(latencies);
  return { requests: s.n, requestsPerSec: Math.round(s.n / seconds), podsPerList: Math.round(items / Math.max(1, s.n)), p50Ms: s.p50, p99Ms: s.p99, maxMs: s.max };
}

interface FanOut {
  deliveries: number;
  expected: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  connectMs: number;
}

async function measureWatchFanOut(kc: KubeConfig, core: CoreV1Api, opts: BenchOptions): Promise<FanOut> {
  const node = nodeName(0);
  const [target] = (await core.listNamespacedPod({ namespace: NAMESPACE, fieldSelector: `spec.nodeName=${node}`, limit: 1 })).items;
  const targetName = target?.metadata?.name ?? '';
  const rv = (await core.listNamespacedPod({ namespace: NAMESPACE, fieldSelector: `spec.nodeName=${node}` })).metadata?.resourceVersion ?? '';
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  const expected = opts.watchers * opts.writes;
  let allDelivered: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (allDelivered = resolve));
  const onEvent = (type: string, pod: V1Pod): void => {
    const seq = pod.metadata?.annotations?.['bench/seq'];
    const t0 = seq === undefined ? undefined : sentAt.get(seq);
    if (type !== 'MODIFIED' || t0 === undefined) return;
    latencies.push(performance.now() - t0);
    if (latencies.length === expected) allDelivered();
  };
  const connectStart = performance.now();
  const aborts = await Promise.all(
    Array.from({ length: opts.watchers }, () => new Watch(kc).watch(`/api/v1/namespaces/${NAMESPACE}/pods`, { fieldSelector: `spec.nodeName=${node}`, resourceVersion: rv }, onEvent, () => undefined)),
  );
  const connectMs = performance.now() - connectStart;
  for (let i = 0; i < opts.writes; i++) {
    const seq = String(i);
    sentAt.set(seq, performance.now());
    await core.patchNamespacedPod({ name: targetName, namespace: NAMESPACE, body: { metadata: { annotations: { 'bench/seq': seq } } } }, merge);
  }
  const deadline = new Promise<void>((resolve) => setTimeout(resolve, 30_000).unref());
  await Promise.race([done, deadline]);
  for (const a of aborts) a.abort();
  const s = summary(latencies);
  return { deliveries: s.n, expected, p50Ms: s.p50, p99Ms: s.p99, maxMs: s.max, connectMs: Math.round(connectMs) };
}

async function runBench(opts: BenchOptions): Promise<void> {
  const api = await startApiServer({ watchHistory: 200_000 });
  const started = performance.now();
  try {
    const kc = api.kubeConfig();
    const core = kc.makeApiClient(CoreV1Api);
    const populateRates = await populate(api, core, opts);
    process.stderr.write(`populated ${opts.nodes} nodes and ${opts.pods} pods\n`);
    const fieldSelectedList = await measureFieldSelectedLists(core, opts);
    const watchFanOut = await measureWatchFanOut(kc, core, opts);
    const result = {
      bench: 'sim',
      nodes: opts.nodes,
      pods: opts.pods,
      concurrency: opts.concurrency,
      create: populateRates,
      fieldSelectedList,
      watchFanOut: { watchers: opts.watchers, writes: opts.writes, ...watchFanOut },
      totalSeconds: Math.round((performance.now() - started) / 100) / 10,
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    await api.close();
  }
}

const program = new Command('bench:sim')
  .addOption(new Option('--nodes <n>', 'simulated nodes').default('5000'))
  .addOption(new Option('--pods <n>', 'pods, spread evenly and bound with nodeName').default('50000'))
  .addOption(new Option('--watchers <n>', 'watchers of one node’s pods').default('200'))
  .addOption(new Option('--writes <n>', 'writes observed by every watcher').default('50'))
  .addOption(new Option('--list-seconds <s>', 'how long to hammer field-selected lists').default('5'))
  .addOption(new Option('--concurrency <n>', 'requests in flight').default('32'))
  .addOption(new Option('--http-sample <n>', 'pods created over HTTP (timed); the rest are bulk-loaded').default('2000'))
  .action(async (raw: Record<string, unknown>) => {
    await runBench(OptionsSchema.parse(raw));
  });

program.parseAsync(process.argv).then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`bench:sim failed: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
