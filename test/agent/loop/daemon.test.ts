/**
 * The agent daemon as the DaemonSet runs it: config from flags/env, the API through a kubeconfig file,
 * the coordinator token read from its file on every request (projected tokens rotate).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runAgentDaemon } from '../../../agent/daemon.js';
import { AGENT_ENV_PREFIX, agentConfigSpec } from '../../../shared/config.js';
import { parseConfig } from '../../../shared/config-spec.js';
import { silentLogger } from '../../../shared/logger.js';
import { startApiServer, type SimApiServer } from '../../../sim/apiserver/index.js';
import { readDeployManifests } from '../../../sim/demo/deploy-manifests.js';
import { SimNodeHost } from '../../../sim/host/sim-node-host.js';
import { startFakeCoordinator, type FakeCoordinator } from './fake-coordinator.js';
import { waitFor } from '../../support/wait-for.js';

let api: SimApiServer;
let coordinator: FakeCoordinator;
let dir: string;

beforeAll(async () => {
  api = await startApiServer();
  api.applyManifests(await readDeployManifests('deploy'));
  api.applyManifests([
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'agent-node-a', namespace: 'cni-migrate' },
      spec: { nodeName: 'node-a', serviceAccountName: 'cni-migrate-agent', containers: [{ name: 'agent', image: 'agent' }] },
    },
  ]);
  dir = await mkdtemp(path.join(tmpdir(), 'agent-daemon-'));
  coordinator = await startFakeCoordinator({ 'token-1': 'node-a', 'token-2': 'node-a' });
});
afterAll(async () => {
  await coordinator.close();
  await api.close();
  await rm(dir, { recursive: true, force: true });
});

describe('agent daemon', () => {
  it('when the projected token file is rotated, then the next requests carry the new token', async () => {
    const kubeconfig = path.join(dir, 'kubeconfig');
    const tokenPath = path.join(dir, 'token');
    const apiToken = api.issueServiceAccountToken({ namespace: 'cni-migrate', serviceAccount: 'cni-migrate-agent' });
    await writeFile(
      kubeconfig,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'sim', cluster: { server: api.url, 'insecure-skip-tls-verify': true } }],
        users: [{ name: 'agent', user: { token: apiToken } }],
        contexts: [{ name: 'sim', context: { cluster: 'sim', user: 'agent' } }],
        'current-context': 'sim',
      }),
    );
    await writeFile(tokenPath, 'token-1\n');
    const config = parseConfig(agentConfigSpec, AGENT_ENV_PREFIX, {
      env: { CNI_MIGRATE_AGENT_NODE_NAME: 'node-a', CNI_MIGRATE_AGENT_POD_NAME: 'agent-node-a' },
      flags: { coordinatorUrl: coordinator.url, tokenPath, kubeconfig, healthPort: 0, healthBind: '127.0.0.1' },
    });
    const bootId = randomUUID();
    const host = new SimNodeHost('node-a', { bootId: () => bootId, rebootNode: async () => undefined });
    let stop = (): void => undefined;
    const stopped = new Promise<void>((resolve) => (stop = resolve));
    const daemon = runAgentDaemon({ config, log: silentLogger(), stop: stopped, host });
    await waitFor('first heartbeat', () => coordinator.directory.heartbeats.length >= 1);
    await writeFile(tokenPath, 'token-2\n');
    coordinator.directory.give({ kind: 'cleanup', id: 'c-1', dryRun: true });
    await waitFor('cleanup result', () => coordinator.directory.results.length === 1);
    stop();
    await daemon;
    expect(coordinator.tokensSeen).toEqual(expect.arrayContaining(['token-1', 'token-2']));
    expect(coordinator.directory.registrations[0]).toMatchObject({ nodeName: 'node-a', podName: 'agent-node-a', bootId });
    expect(coordinator.directory.results[0]).toMatchObject({ orderId: 'c-1', outcome: 'succeeded' });
  });
});
