/**
 * The agent fleet in its own thread, as each agent runs on its own node: a thousand agent loops (heartbeats,
 * long polls, each its own watch of the leader Lease) would otherwise share the event loop of the simulated
 * API server, controllers and kubelets. The agents reach the API server and the coordinator over HTTP as
 * before; what only the simulation does (a node's boot id and kernel, whether Cilium manages its CNI, its
 * reboot) the thread asks the demo for, and the demo tells the thread when a node changes (an agent stopped
 * by a reboot starts again once its node is Ready on a new boot).
 */
import { Worker } from 'node:worker_threads';
import type { KubeConfig, V1Node, V1Pod } from '@kubernetes/client-node';
import type { Logger } from '../../shared/logger.js';
import type { SimNodeHost, SimNodeSource } from '../host/sim-node-host.js';
import { AgentFleet, isNodeReady, type DemoNodeHost } from './agent-fleet.js';
import { kubeConfigWithToken } from './install.js';

/** What the thread is started with (plain data). */
export interface AgentThreadStart {
  kubeconfig: string;
  checkImage: string;
}

/** A node's host as the demo's summary reads it. */
export interface HostFigures {
  cleanupRuns: number;
  leftover: number;
}

export type SimCall = 'bootId' | 'kernel' | 'ciliumManaged' | 'rebootNode';

export type ToAgentThread =
  | { kind: 'start'; pods: V1Pod[] }
  | { kind: 'node'; name: string; ready: boolean; bootId: string | undefined }
  | { kind: 'kill'; id: number; node: string; revive: boolean }
  | { kind: 'hosts'; id: number }
  | { kind: 'reply'; id: number; value: unknown; error?: string }
  | { kind: 'stop' };

export type FromAgentThread =
  | { kind: 'ready' }
  | { kind: 'started' }
  | { kind: 'call'; id: number; method: SimCall; node: string }
  | { kind: 'done'; id: number; hosts?: Record<string, HostFigures> }
  | { kind: 'stopped' }
  | { kind: 'failed'; message: string };

/** What the demo uses of its agent fleet, in its thread or on its own event loop. */
export interface DemoAgents {
  nodeChanged(node: V1Node): void;
  kill(node: string, revive: boolean): Promise<void>;
  host(node: string): { readonly cleanupRuns: number; leftoverItems(): number } | undefined;
  /** Brings what `host` answers up to date (the thread's hosts are read once, here). */
  refreshHosts(): Promise<void>;
  stopAll(): Promise<void>;
}

async function answer(sim: SimNodeSource, method: SimCall, node: string): Promise<unknown> {
  if (method === 'bootId') return sim.bootId(node);
  if (method === 'kernel') return sim.kernel?.(node);
  if (method === 'ciliumManaged') return sim.ciliumManaged?.(node);
  await sim.rebootNode(node);
  return undefined;
}

export async function startAgentThread(d: { admin: KubeConfig; sim: SimNodeSource; checkImage: string }, pods: readonly V1Pod[]): Promise<DemoAgents> {
  const workerData: AgentThreadStart = { kubeconfig: d.admin.exportConfig(), checkImage: d.checkImage };
  const worker = new Worker(new URL('./agent-thread-main.js', import.meta.url), { workerData });
  const post = (m: ToAgentThread): void => worker.postMessage(m);
  const waiting = new Map<number, (m: Extract<FromAgentThread, { kind: 'done' }>) => void>();
  let seq = 0;
  let hosts: Record<string, HostFigures> = {};
  let stopped: () => void = () => undefined;
  let started: () => void = () => undefined;
  const ended = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  const request = (m: (id: number) => ToAgentThread): Promise<Extract<FromAgentThread, { kind: 'done' }>> => {
    seq += 1;
    const id = seq;
    const done = new Promise<Extract<FromAgentThread, { kind: 'done' }>>((resolve) => waiting.set(id, resolve));
    post(m(id));
    return Promise.race([done, ended.then(() => ({ kind: 'done' as const, id }))]);
  };
  const failed = new Promise<never>((_, reject) => {
    worker.on('message', (m: FromAgentThread) => {
      if (m.kind === 'call') {
        answer(d.sim, m.method, m.node).then(
          (value) => post({ kind: 'reply', id: m.id, value }),
          (e: unknown) => post({ kind: 'reply', id: m.id, value: undefined, error: e instanceof Error ? e.message : String(e) }),
        );
      } else if (m.kind === 'done') {
        waiting.get(m.id)?.(m);
        waiting.delete(m.id);
      } else if (m.kind === 'started') started();
      else if (m.kind === 'stopped') stopped();
      else if (m.kind === 'failed') reject(new Error(`the agents' thread failed: ${m.message}`));
    });
    worker.once('error', reject);
  });
  failed.catch(() => undefined);
  try {
    const running = new Promise<void>((resolve) => (started = resolve));
    post({ kind: 'start', pods: [...pods] });
    await Promise.race([running, failed]);
  } catch (e) {
    await worker.terminate();
    throw e;
  }
  return {
    nodeChanged: (n) => post({ kind: 'node', name: n.metadata?.name ?? '', ready: isNodeReady(n), bootId: n.status?.nodeInfo?.bootID }),
    kill: async (node, revive) => {
      await request((id) => ({ kind: 'kill', id, node, revive }));
    },
    host: (node) => {
      const h = hosts[node];
      return h && { cleanupRuns: h.cleanupRuns, leftoverItems: () => h.leftover };
    },
    refreshHosts: async () => {
      hosts = (await request((id) => ({ kind: 'hosts', id }))).hosts ?? hosts;
    },
    stopAll: async () => {
      const done = new Promise<void>((resolve) => (stopped = resolve));
      post({ kind: 'stop' });
      await Promise.race([done, ended]);
      await worker.terminate();
    },
  };
}

/**
 * The demo's agents: in their own thread (the command line), else on the demo's event loop (the tests, and
 * any run whose hosts are the caller's own: those live on this thread).
 */
export async function startDemoAgents(
  d: { admin: KubeConfig; sim: SimNodeSource; checkImage: string; log: Logger; hostFor: ((sim: SimNodeHost) => DemoNodeHost) | undefined; ownThread: boolean },
  pods: readonly V1Pod[],
): Promise<DemoAgents> {
  if (d.ownThread && d.hostFor === undefined) return startAgentThread(d, pods);
  const fleet = new AgentFleet({ adminKc: d.admin, kubeConfigFor: (t) => kubeConfigWithToken(d.admin, t), sim: d.sim, checkImage: d.checkImage, log: d.log, hostFor: d.hostFor });
  await fleet.startAll(pods);
  return fleet;
}
