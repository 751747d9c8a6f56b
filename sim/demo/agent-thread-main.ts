/**
 * The agents' thread (see agent-thread.ts): the demo's agent fleet, with the simulation's part of each node's
 * host asked of the demo, and the nodes' changes as the demo tells them.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { KubeConfig, type V1Node } from '@kubernetes/client-node';
import { describeError } from '../../shared/errors.js';
import { silentLogger } from '../../shared/logger.js';
import type { SimNodeSource } from '../host/sim-node-host.js';
import { AgentFleet } from './agent-fleet.js';
import type { AgentThreadStart, FromAgentThread, HostFigures, SimCall, ToAgentThread } from './agent-thread.js';
import { kubeConfigWithToken } from './install.js';

const start = workerData as AgentThreadStart;
const send = (m: FromAgentThread): void => parentPort?.postMessage(m);

const calls = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
let seq = 0;
function ask<T>(method: SimCall, node: string): Promise<T> {
  seq += 1;
  const id = seq;
  return new Promise<T>((resolve, reject) => {
    calls.set(id, { resolve: (v) => resolve(v as T), reject });
    send({ kind: 'call', id, method, node });
  });
}

/** The simulation's part of each node's host, answered by the demo. */
const sim: SimNodeSource = {
  bootId: (node) => ask<string>('bootId', node),
  kernel: (node) => ask<string>('kernel', node),
  ciliumManaged: (node) => ask<boolean>('ciliumManaged', node),
  rebootNode: (node) => ask<undefined>('rebootNode', node),
};

/** The node as far as the fleet looks at it: Ready, and its boot id. */
const nodeOf = (m: Extract<ToAgentThread, { kind: 'node' }>): V1Node => ({
  metadata: { name: m.name },
  status: {
    conditions: [{ type: 'Ready', status: m.ready ? 'True' : 'False' }],
    ...(m.bootId !== undefined ? { nodeInfo: { bootID: m.bootId } as NonNullable<V1Node['status']>['nodeInfo'] } : {}),
  },
});

function hostFigures(fleet: AgentFleet, nodes: readonly string[]): Record<string, HostFigures> {
  const out: Record<string, HostFigures> = {};
  for (const n of nodes) {
    const h = fleet.host(n);
    if (h) out[n] = { cleanupRuns: h.cleanupRuns, leftover: h.leftoverItems() };
  }
  return out;
}

function main(): void {
  const admin = new KubeConfig();
  admin.loadFromString(start.kubeconfig);
  const fleet = new AgentFleet({ adminKc: admin, kubeConfigFor: (t) => kubeConfigWithToken(admin, t), sim, checkImage: start.checkImage, log: silentLogger() });
  let nodes: string[] = [];
  parentPort?.on('message', (m: ToAgentThread) => {
    if (m.kind === 'reply') {
      const call = calls.get(m.id);
      calls.delete(m.id);
      if (m.error !== undefined) call?.reject(new Error(m.error));
      else call?.resolve(m.value);
    } else if (m.kind === 'start') {
      nodes = m.pods.map((p) => p.spec?.nodeName ?? '');
      fleet.startAll(m.pods).then(
        () => send({ kind: 'started' }),
        (e: unknown) => send({ kind: 'failed', message: describeError(e) }),
      );
    } else if (m.kind === 'node') fleet.nodeChanged(nodeOf(m));
    else if (m.kind === 'kill') void fleet.kill(m.node, m.revive).finally(() => send({ kind: 'done', id: m.id }));
    else if (m.kind === 'hosts') send({ kind: 'done', id: m.id, hosts: hostFigures(fleet, nodes) });
    else void fleet.stopAll().finally(() => send({ kind: 'stopped' }));
  });
}

try {
  main();
} catch (e) {
  send({ kind: 'failed', message: describeError(e) });
}
