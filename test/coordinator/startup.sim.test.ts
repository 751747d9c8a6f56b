/**
 * The binary (`runCoordinator`) and the demo's replica (`startCoordinatorReplica`) start the coordinator
 * through one `startCoordinator`: started side by side against one simulated API server, they serve the
 * same probes, metrics and agent API, take turns leading, and publish their address the same way.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CoordinationV1Api } from '@kubernetes/client-node';
import { silentLogger } from '../../shared/logger.js';
import { startApiServer, type SimApiServer } from '../../sim/apiserver/index.js';
import { readDeployManifests } from '../../sim/demo/deploy-manifests.js';
import { startCoordinatorReplica, type CoordinatorReplica } from '../../sim/demo/coordinator-replica.js';
import { runCoordinator } from '../../coordinator/server.js';
import { testConfig } from './engine/harness.js';
import { freePort } from '../support/free-port.js';
import { waitFor } from '../support/wait-for.js';

let api: SimApiServer;
let stopBinary: () => void;
let binary: Promise<void>;
let binaryStopped = false;
let replica: CoordinatorReplica;
let binaryBase: string;
let replicaBase: string;

const leaderHolder = async (): Promise<string | undefined> => {
  const leases = api.kubeConfig().makeApiClient(CoordinationV1Api);
  const l = await leases.readNamespacedLease({ name: 'cni-migrate-leader', namespace: 'cni-migrate' }).catch(() => undefined);
  return l?.spec?.holderIdentity ?? undefined;
};

const get = async (url: string): Promise<{ status: number; body: string }> => {
  const r = await fetch(url);
  return { status: r.status, body: await r.text() };
};

beforeAll(async () => {
  api = await startApiServer();
  api.applyManifests(await readDeployManifests('deploy'));
  const kc = api.kubeConfig({ token: api.issueServiceAccountToken({ namespace: 'cni-migrate', serviceAccount: 'cni-migrate-coordinator' }) });
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'cni-migrate-')), 'kubeconfig');
  writeFileSync(file, kc.exportConfig());
  const port = await freePort();
  binaryBase = `http://127.0.0.1:${port}`;
  const config = testConfig({ kubeconfig: file, port: String(port), bindAddress: '127.0.0.1', podName: 'coordinator-binary', advertiseAddress: '127.0.0.1' });
  binary = runCoordinator({ config, log: silentLogger(), stop: new Promise<void>((resolve) => (stopBinary = resolve)) });
  await waitFor('the binary to lead', async () => (await leaderHolder()) === 'coordinator-binary');
  replica = await startCoordinatorReplica({ kc, config: testConfig(), identity: 'coordinator-replica', log: silentLogger() });
  replicaBase = `http://127.0.0.1:${replica.port}`;
});

afterAll(async () => {
  if (!binaryStopped) stopBinary();
  await binary;
  await replica.stop();
  await api.close();
});

describe('one startup path for the binary and the demo', () => {
  it('when both run, then each serves the probes, the metrics and the agent API on its one port', async () => {
    for (const base of [binaryBase, replicaBase]) {
      expect(await get(`${base}/healthz`)).toEqual({ status: 200, body: 'ok\n' });
      expect((await get(`${base}/metrics`)).body).toContain('cni_migrate_migrations_started_total');
      const anonymous = await fetch(`${base}/v1/heartbeat`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
      expect(anonymous.status).toBe(401);
    }
  });

  it('when the binary leads, then only it is Ready; the replica says why not', async () => {
    expect(await get(`${binaryBase}/readyz`)).toEqual({ status: 200, body: 'ready: leading\n' });
    expect(await get(`${replicaBase}/readyz`)).toEqual({ status: 503, body: 'not ready: not the leader (or the API server is unreachable)\n' });
  });

  it('when the binary stops, then the replica takes over and publishes its own address on the leader Lease', async () => {
    binaryStopped = true;
    stopBinary();
    await binary;
    await waitFor('the replica to lead', async () => (await leaderHolder()) === 'coordinator-replica', { timeoutMs: 20_000 });
    await waitFor('the replica to be Ready', async () => (await get(`${replicaBase}/readyz`)).status === 200);
    const lease = await api.kubeConfig().makeApiClient(CoordinationV1Api).readNamespacedLease({ name: 'cni-migrate-leader', namespace: 'cni-migrate' });
    expect(lease.metadata?.annotations?.['cni-migrate.io/address']).toBe(`127.0.0.1:${replica.port}`);
  });
});
