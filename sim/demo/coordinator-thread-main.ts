/**
 * The coordinator replica's thread (see coordinator-thread.ts): starts the replica through the coordinator's
 * own start-up path, tells the demo its port, then whenever its leadership or its grants change, and stops
 * it gracefully when asked.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { KubeConfig } from '@kubernetes/client-node';
import { createLogger, LOG_LEVELS, type LogLevel } from '../../shared/logger.js';
import { describeError } from '../../shared/errors.js';
import { startCoordinatorReplica, type CoordinatorReplica } from './coordinator-replica.js';
import type { FromThread, ThreadStart, ToThread } from './coordinator-thread.js';

/** How often the thread looks whether leadership or the grants changed (it tells the demo only then). */
const STATE_EVERY_MS = 50;

const start = workerData as ThreadStart;
const send = (m: FromThread): void => parentPort?.postMessage(m);

function logger(): ReturnType<typeof createLogger> {
  const level = LOG_LEVELS.includes(start.logLevel as LogLevel) ? (start.logLevel as LogLevel) : 'silent';
  const { component, ...rest } = start.logBindings;
  return createLogger({ component: typeof component === 'string' ? component : 'demo', level }).child(rest);
}

function tellChanges(replica: CoordinatorReplica): NodeJS.Timeout {
  let last = '';
  return setInterval(() => {
    const leading = replica.engine.isLeader();
    const grants = leading ? replica.engine.snapshot().grants : [];
    const now = JSON.stringify([leading, grants]);
    if (now === last) return;
    last = now;
    send({ kind: 'state', leading, grants });
  }, STATE_EVERY_MS);
}

async function main(): Promise<void> {
  const kc = new KubeConfig();
  kc.loadFromString(start.kubeconfig);
  const replica = await startCoordinatorReplica({
    kc,
    config: start.config,
    identity: start.identity,
    log: logger(),
    ...(start.limits ? { limits: start.limits } : {}),
    ...(start.port !== undefined ? { port: start.port } : {}),
  });
  send({ kind: 'started', port: replica.port });
  const telling = tellChanges(replica);
  parentPort?.on('message', (m: ToThread) => {
    if (m.kind !== 'stop') return;
    clearInterval(telling);
    void replica.stop().finally(() => send({ kind: 'stopped' }));
  });
}

main().catch((e: unknown) => send({ kind: 'failed', message: describeError(e) }));
