/**
 * `cni-migrate coordinator` in-process against the simulated API server: one port serves the probes,
 * /metrics and the agent API; the engine leads and publishes its address on the leader Lease.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CoordinationV1Api } from '@kubernetes/client-node';
import { silentLogger } from '../../shared/logger.js';
import { startApiServer, type SimApiServer } from '../../sim/apiserver/index.js';
import { readDeployManifests } from '../../sim/demo/deploy-manifests.js';
import { runCoordinator } from '../../coordinator/server.js';
import { testConfig } from './engine/harness.js';
import { freePort } from '../support/free-port.js';
import { waitFor } from '../support/wait-for.js';

let api: SimApiServer;
let stop: () => void;
let running: Promise<void>;
/** A port the OS just found free: a random one from 20000-39999 overlapped the ephemeral range, and once met a client's socket (EADDRINUSE). */
let port = 0;
let base = '';

beforeAll(async () => {
  port = await freePort();
  base = `http://127.0.0.1:${port}`;
  api = await startApiServer();
  api.applyManifests(await readDeployManifests('deploy'));
  const kc = api.kubeConfig({ token: api.issueServiceAccountToken({ namespace: 'cni-migrate', serviceAccount: 'cni-migrate-coordinator' }) });
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'cni-migrate-')), 'kubeconfig');
  writeFileSync(file, kc.exportConfig());
  const config = testConfig({ kubeconfig: file, port: String(port), bindAddress: '127.0.0.1', podName: 'coordinator-0', advertiseAddress: '10.1.2.3' });
  running = runCoordinator({ config, log: silentLogger(), stop: new Promise<void>((resolve) => (stop = resolve)) });
});

afterAll(async () => {
  stop();
  await running;
  await api.close();
});

describe('the coordinator server', () => {
  it('when it runs, then probes, metrics and the agent API share one port', async () => {
    await waitFor('/readyz to answer 200', async () => (await fetch(`${base}/readyz`).catch(() => undefined))?.status === 200, { timeoutMs: 60_000 });
    expect(await (await fetch(`${base}/healthz`)).text()).toBe('ok\n');
    expect(await (await fetch(`${base}/metrics`)).text()).toContain('cni_migrate_migrations_started_total');
    const unauthenticated = await fetch(`${base}/v1/heartbeat`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    expect(unauthenticated.status).toBe(401);
  });

  it('when it leads, then the leader Lease carries the address agents use', async () => {
    const leases = api.kubeConfig().makeApiClient(CoordinationV1Api);
    await waitFor(
      'coordinator-0 to hold the leader Lease',
      async () => {
        const l = await leases.readNamespacedLease({ name: 'cni-migrate-leader', namespace: 'cni-migrate' }).catch(() => undefined);
        return l?.spec?.holderIdentity === 'coordinator-0';
      },
      { timeoutMs: 60_000 },
    );
    const lease = await leases.readNamespacedLease({ name: 'cni-migrate-leader', namespace: 'cni-migrate' });
    expect(lease.metadata?.annotations?.['cni-migrate.io/address']).toBe(`10.1.2.3:${port}`);
  });
});
