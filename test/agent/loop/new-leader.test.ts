/**
 * A new coordinator taking over: the agent learns it from the leader Lease (watched) and reconnects at once,
 * instead of sitting out its backoff against the dead one.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { CoordinationV1Api, V1MicroTime } from '@kubernetes/client-node';
import { runAgentLoop } from '../../../agent/loop/agent-loop.js';
import { Backoff } from '../../../agent/loop/backoff.js';
import { createCoordinatorClient } from '../../../agent/loop/coordinator-client.js';
import { discoveringLocator } from '../../../agent/loop/locate-coordinator.js';
import { watchLeaderLease } from '../../../agent/kube/leader-lease.js';
import { OrderRunner } from '../../../agent/orders/runner.js';
import { silentLogger } from '../../../shared/logger.js';
import { COORDINATOR_ADDRESS_ANNOTATION, LEADER_LEASE_NAME } from '../../../shared/names.js';
import { SimNodeHost } from '../../../sim/host/sim-node-host.js';
import { startSimCluster, type SimCluster } from '../../../sim/index.js';
import { installDeployManifests, kubeConfigWithToken, serviceAccountToken } from '../../../sim/demo/install.js';
import { waitFor } from '../../support/wait-for.js';
import { startFakeCoordinator, type FakeCoordinator } from './fake-coordinator.js';

const NODE = 'node-a';
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('agent: a new leader', () => {
  it('when the leader dies and another takes over, then the agent registers with it at once, not after its backoff', async () => {
    const a = await startFakeCoordinator({ tok: NODE });
    const b = await startFakeCoordinator({ tok: NODE });
    cleanups.push(() => a.close(), () => b.close());
    let leader: FakeCoordinator = a;
    const moved = new Set<(first: boolean) => void>();
    const locator = discoveringLocator({
      leaderAddress: async () => new URL(leader.url).host,
      serviceEndpoint: async () => undefined,
      onLeaderChange: (cb) => {
        moved.add(cb);
        return () => moved.delete(cb);
      },
    });
    const bootId = randomUUID();
    const host = new SimNodeHost(NODE, { bootId: () => bootId, rebootNode: async () => undefined });
    // A backoff far longer than the test may wait: only the new term can bring the agent back in time.
    const backoff = new Backoff({ initialMs: 120_000, maxMs: 120_000, factor: 1, jitter: 0 });
    const stop = new AbortController();
    const done = runAgentLoop(
      {
        api: createCoordinatorClient({ ...locator, readToken: async () => 'tok', requestTimeoutMs: 2000 }),
        host,
        runner: new OrderRunner({ host, nodeName: NODE, podName: `agent-${NODE}`, forceCleanup: false, log: silentLogger(), validate: async () => ({ outcome: 'succeeded', message: '' }) }),
        identity: { nodeName: NODE, podName: `agent-${NODE}`, agentVersion: '0.1.0' },
        log: silentLogger(),
        backoff,
        onCoordinatorMoved: (cb) => locator.onMoved?.(cb) ?? (() => undefined),
      },
      stop.signal,
    );
    cleanups.push(async () => {
      stop.abort();
      await done;
    });
    await waitFor('registered with the first leader', () => a.directory.registrations.length === 1);
    await a.crash();
    await waitFor('backing off after the leader died', () => backoff.failures >= 1);
    leader = b;
    moved.forEach((cb) => cb(false));
    await waitFor('registered with the new leader', () => b.directory.registrations.length === 1, { timeoutMs: 20_000 });
    expect(b.directory.registrations[0]).toMatchObject({ nodeName: NODE, bootId });
  }, 60_000);
});

describe('agent: the leader Lease watch', () => {
  let sim: SimCluster | undefined;
  afterEach(async () => {
    await sim?.close();
    sim = undefined;
  });

  it("when the Lease changes hands, then the agent's watch (with the agent's own RBAC) reports the new term and address", async () => {
    sim = await startSimCluster({ nodes: 1, seed: 1 }, silentLogger());
    const admin = sim.kubeConfig();
    await installDeployManifests(admin, 'deploy');
    const agentKc = kubeConfigWithToken(admin, await serviceAccountToken(admin, 'cni-migrate', 'cni-migrate-agent'));
    const leases = admin.makeApiClient(CoordinationV1Api);
    const body = (holder: string, address: string, acquired: number) => ({
      metadata: { name: LEADER_LEASE_NAME, namespace: 'cni-migrate', annotations: { [COORDINATOR_ADDRESS_ANNOTATION]: address } },
      spec: { holderIdentity: holder, leaseDurationSeconds: 15, acquireTime: new V1MicroTime(acquired), renewTime: new V1MicroTime(acquired) },
    });
    await leases.createNamespacedLease({ namespace: 'cni-migrate', body: body('coordinator-0', '10.0.0.1:9876', Date.now()) });
    const lease = watchLeaderLease(agentKc, 'cni-migrate', silentLogger());
    cleanups.push(async () => lease.stop());
    let terms = 0;
    lease.onNewTerm((first) => (terms += first ? 0 : 1));
    expect(await lease.address(20_000)).toBe('10.0.0.1:9876');
    const current = await leases.readNamespacedLease({ namespace: 'cni-migrate', name: LEADER_LEASE_NAME });
    await leases.replaceNamespacedLease({
      namespace: 'cni-migrate',
      name: LEADER_LEASE_NAME,
      body: { ...body('coordinator-1', '10.0.0.2:9876', Date.now() + 1000), metadata: { ...body('', '10.0.0.2:9876', 0).metadata, resourceVersion: current.metadata?.resourceVersion } },
    });
    await waitFor('the new term seen', () => terms === 1);
    expect(await lease.address(0)).toBe('10.0.0.2:9876');
  }, 60_000);
});
