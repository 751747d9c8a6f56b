/**
 * The engine with its real Kubernetes adapters on the whole simulated cluster (API server, controllers,
 * kubelets, demo workloads with PDBs), as the coordinator's ServiceAccount. Agents are played in-process
 * (the agent binary's own end-to-end tests live elsewhere): they answer orders through the engine's
 * AgentDirectory and reboot nodes through the simulated cluster.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Order, OrderResult } from '../../../shared/api.js';
import { silentLogger } from '../../../shared/logger.js';
import { MIGRATION_DEFAULT_NAME } from '../../../shared/names.js';
import { startSimCluster, type SimCluster } from '../../../sim/index.js';
import { createMigration, installDeployManifests, kubeConfigWithToken, serviceAccountToken } from '../../../sim/demo/install.js';
import { startEngine, type Engine } from '../../../coordinator/engine/engine.js';
import { testConfig } from './harness.js';
import { waitFor } from '../../support/wait-for.js';

let sim: SimCluster;
let engine: Engine;
const reboots = new Map<string, number>();
const abort = new AbortController();
const loops: Promise<void>[] = [];

function answer(node: string, order: Order): OrderResult {
  const base = { nodeName: node, podName: `agent-${node}`, bootId: sim.bootId(node), orderId: order.id };
  if (order.kind === 'reboot' && sim.bootId(node) !== order.ifBootId) return { ...base, outcome: 'refused', message: 'boot id moved on' };
  if (order.kind === 'reboot') {
    reboots.set(node, (reboots.get(node) ?? 0) + 1);
    void sim.rebootNode(node);
    return { ...base, outcome: 'succeeded', message: 'rebooting' };
  }
  return { ...base, outcome: 'succeeded', message: 'ok' };
}

async function agent(node: string): Promise<void> {
  let last: string | undefined;
  while (!abort.signal.aborted) {
    const order = await engine.order(node, last, abort.signal);
    if (!order) continue;
    last = order.id;
    await engine.result(answer(node, order));
  }
}

beforeAll(async () => {
  sim = await startSimCluster({ nodes: 4, controlPlanes: 1, ciliumReadyDelayMs: 50, rebootDowntimeMs: 100, heartbeatIntervalMs: 1000 });
  const admin = sim.kubeConfig();
  await installDeployManifests(admin, 'deploy');
  await createMigration(admin, { concurrency: 1, autoRollback: false, includeControlPlane: false }, { name: MIGRATION_DEFAULT_NAME });
  const kc = kubeConfigWithToken(admin, await serviceAccountToken(admin, 'cni-migrate', 'cni-migrate-coordinator'));
  engine = await startEngine({ kc, config: testConfig({ drainTimeoutSeconds: '60' }), log: silentLogger(), identity: 'coordinator-0' });
  for (const n of sim.nodeNames()) loops.push(agent(n));
});

afterAll(async () => {
  abort.abort();
  await engine.stop();
  await Promise.all(loops);
  await sim.close();
});

describe('engine on the simulated cluster', () => {
  it('when the rollout runs, then every worker is migrated once and handed to Cilium', async () => {
    const workers = engine.snapshot().nodes.length - 1;
    const done = () => engine.snapshot().nodes.filter((n) => n.phase === 'Done').length;
    const end = await waitFor(`all ${workers} workers Done (or one Halted)`, () => {
      const halted = engine.snapshot().nodes.find((n) => n.phase === 'Halted');
      if (halted) return { halted: `${halted.name}: ${halted.reason ?? ''}` };
      return done() === workers && { done: workers };
    }, { timeoutMs: 240_000, intervalMs: 100 });
    expect(end).toEqual({ done: workers });
    for (const n of engine.snapshot().nodes.filter((x) => x.phase === 'Done')) {
      expect(reboots.get(n.name)).toBe(1);
      expect({ node: n.name, ciliumManaged: sim.ciliumManaged(n.name) }).toEqual({ node: n.name, ciliumManaged: true });
    }
    await waitFor('every grant released', () => engine.snapshot().grants.length === 0, { timeoutMs: 60_000 });
  });
});
