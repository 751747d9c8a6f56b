/**
 * `npm run bench:gate -- --polls 500 --json`: the agent API under a burst of long-polls, with the real
 * TokenReview authenticator against the simulated API server (deploy/ RBAC). P long-polls (waitSeconds W)
 * arrive at once with one valid token that is not cached yet; meanwhile /healthz is asked every 50 ms.
 * Reports how long until every poll was answered, their statuses, how many TokenReviews were made, and
 * /healthz latency. The last line printed is one JSON document.
 */
import { performance } from 'node:perf_hooks';
import { Command } from 'commander';
import express from 'express';
import { z } from 'zod';
import { createGateRouter, createTokenReviewAuthenticator, kubeAuthApi, startGateServer } from '../../coordinator/gate/index.js';
import type { AgentDirectory } from '../../coordinator/ports.js';
import { probeRouter } from '../../coordinator/server.js';
import { silentLogger } from '../../shared/logger.js';
import { startApiServer } from '../../sim/apiserver/index.js';
import { readDeployManifests } from '../../sim/demo/deploy-manifests.js';

const OptionsSchema = z.strictObject({
  polls: z.coerce.number().int().min(1).max(5000).default(500),
  waitSeconds: z.coerce.number().int().min(1).max(60).default(1),
  json: z.boolean().default(false),
});

const NS = 'cni-migrate';

/** Answers every long-poll with "nothing new" when its wait ends. */
const idleDirectory: AgentDirectory = {
  register: () => Promise.resolve(),
  heartbeat: () => Promise.resolve(),
  order: (_node, _after, signal) =>
    new Promise((resolve) => {
      if (signal.aborted) resolve(null);
      else signal.addEventListener('abort', () => resolve(null), { once: true });
    }),
  result: () => Promise.resolve(true),
};

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return Math.round(sorted[i] ?? 0);
}

async function bench(o: z.infer<typeof OptionsSchema>): Promise<Record<string, unknown>> {
  const api = await startApiServer();
  try {
    api.applyManifests(await readDeployManifests('deploy'));
    const pod = api.applyManifests([
      { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'agent-a', namespace: NS }, spec: { nodeName: 'node-a', serviceAccountName: 'cni-migrate-agent', containers: [{ name: 'agent', image: 'agent:0' }] } },
    ]);
    const uid = (pod[0]?.metadata as { uid: string }).uid;
    const token = api.issueServiceAccountToken({ namespace: NS, serviceAccount: 'cni-migrate-agent', audiences: ['cni-migrate'], boundPod: { name: 'agent-a', uid } });
    const coordinatorKc = api.kubeConfig({ token: api.issueServiceAccountToken({ namespace: NS, serviceAccount: 'cni-migrate-coordinator' }) });
    const auth = createTokenReviewAuthenticator({
      api: kubeAuthApi(coordinatorKc),
      rules: { namespace: NS, serviceAccount: 'cni-migrate-agent', audience: 'cni-migrate' },
      cacheSeconds: 300,
      log: silentLogger(),
    });
    const root = express.Router();
    root.use(probeRouter(() => undefined, () => undefined));
    root.use(createGateRouter({ directory: idleDirectory, auth, log: silentLogger() }));
    const gate = await startGateServer(root);
    const reviews = (): number => api.requestCounts().filter((c) => c.resource === 'tokenreviews').reduce((n, c) => n + c.count, 0);
    try {
      const healthz: number[] = [];
      let polling = true;
      const probing = (async () => {
        while (polling) {
          const t = performance.now();
          await fetch(`${gate.url}/healthz`).then((r) => r.text());
          healthz.push(performance.now() - t);
          await new Promise((r) => setTimeout(r, 50));
        }
      })();
      const started = performance.now();
      const headers = { authorization: `Bearer ${token}` };
      const url = `${gate.url}/v1/nodes/node-a/order?waitSeconds=${o.waitSeconds}`;
      const statuses = await Promise.all(Array.from({ length: o.polls }, () => fetch(url, { headers }).then(async (r) => (await r.text(), r.status))));
      const wallMs = Math.round(performance.now() - started);
      polling = false;
      await probing;
      const byStatus: Record<string, number> = {};
      for (const s of statuses) byStatus[s] = (byStatus[s] ?? 0) + 1;
      const sorted = [...healthz].sort((a, b) => a - b);
      return { polls: o.polls, waitSeconds: o.waitSeconds, wallMs, statuses: byStatus, tokenReviews: reviews(), healthzP50Ms: percentile(sorted, 50), healthzMaxMs: percentile(sorted, 100), healthzSamples: sorted.length };
    } finally {
      await gate.close();
    }
  } finally {
    await api.close();
  }
}

const program = new Command('bench:gate')
  .option('--polls <n>', 'long-polls sent at once', '500')
  .option('--wait-seconds <s>', 'the wait each long-poll asks for', '1')
  .option('--json', 'print only the JSON document')
  .action(async (opts: Record<string, unknown>) => {
    const parsed = OptionsSchema.safeParse(opts);
    if (!parsed.success) throw new Error(`invalid options: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
    const result = await bench(parsed.data);
    process.stdout.write(parsed.data.json ? `${JSON.stringify(result)}\n` : `${JSON.stringify(result, null, 2)}\n`);
  });

program.parseAsync(process.argv).then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`bench:gate failed: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
