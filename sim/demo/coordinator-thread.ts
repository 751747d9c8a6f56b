/**
 * A coordinator replica in its own thread, as its pod runs on its own CPU: the simulated cluster, the agents
 * and the probe pods share the demo's event loop, and a replica on that loop too would see every stall of
 * theirs as its own (a leader that misses its renew deadline, agents that are heard late). The replica
 * reaches the cluster over HTTP as before; the thread tells the demo when it leads and which nodes hold
 * grants. A crash ends the thread at once, as SIGKILL ends a pod: its Leases stay held, its connections drop.
 */
import { Worker } from 'node:worker_threads';
import { CniMigrateError } from '../../shared/errors.js';
import type { CoordinatorConfig } from '../../shared/config.js';
import type { GateLimits } from '../../coordinator/gate/index.js';
import type { DemoReplica, Grant, ReplicaOptions } from './coordinator-replica.js';

/** What the thread is started with (all of it plain data). */
export interface ThreadStart {
  kubeconfig: string;
  config: CoordinatorConfig;
  identity: string;
  logLevel: string;
  logBindings: Record<string, unknown>;
  limits?: Partial<GateLimits>;
  port?: number;
}

/** What the thread tells the demo. */
export type FromThread =
  | { kind: 'started'; port: number }
  | { kind: 'state'; leading: boolean; grants: Grant[] }
  | { kind: 'stopped' }
  | { kind: 'failed'; message: string };

export type ToThread = { kind: 'stop' };

/** A replica in a thread takes what one on the demo's event loop takes. */
export type ThreadReplicaOptions = ReplicaOptions;

function threadData(o: ThreadReplicaOptions): ThreadStart {
  return {
    kubeconfig: o.kc.exportConfig(),
    config: o.config,
    identity: o.identity,
    logLevel: o.log.level,
    logBindings: o.log.bindings(),
    ...(o.limits ? { limits: o.limits } : {}),
    ...(o.port !== undefined ? { port: o.port } : {}),
  };
}

export async function startCoordinatorThread(o: ThreadReplicaOptions): Promise<DemoReplica> {
  const worker = new Worker(new URL('./coordinator-thread-main.js', import.meta.url), { workerData: threadData(o) });
  let state: { leading: boolean; grants: Grant[] } = { leading: false, grants: [] };
  let stopped: () => void = () => undefined;
  const ended = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    worker.on('message', (m: FromThread) => {
      if (m.kind === 'started') resolve(m.port);
      else if (m.kind === 'state') state = { leading: m.leading, grants: m.grants };
      else if (m.kind === 'stopped') stopped();
      else reject(new CniMigrateError('Internal', `coordinator ${o.identity} did not start: ${m.message}`));
    });
    worker.once('error', (e) => reject(new CniMigrateError('Internal', `coordinator ${o.identity} did not start`, { cause: e })));
    worker.once('exit', () => reject(new CniMigrateError('Internal', `coordinator ${o.identity} ended before it started`)));
  }).catch(async (e: unknown) => {
    await worker.terminate();
    throw e;
  });
  const leaving = (): void => {
    state = { leading: false, grants: [] };
  };
  return {
    identity: o.identity,
    port,
    isLeader: () => state.leading,
    grants: () => state.grants,
    async stop() {
      const done = new Promise<void>((resolve) => (stopped = resolve));
      worker.postMessage({ kind: 'stop' } satisfies ToThread);
      await Promise.race([done, ended]);
      leaving();
      await worker.terminate();
    },
    async crash() {
      leaving();
      await worker.terminate();
    },
  };
}
