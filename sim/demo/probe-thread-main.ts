/**
 * The simulated probe pods' thread (see probe-thread.ts): watches the probe DaemonSet's pods, keeps the pod
 * network's places as the demo sends them, and runs the fleet; stops it when asked.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { CoreV1Api, KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { describeError } from '../../shared/errors.js';
import { silentLogger } from '../../shared/logger.js';
import type { PodLocation } from '../cluster/probe-model.js';
import { AGENT_NAMESPACE } from './agent-fleet.js';
import { PROBE_POD_LABEL, ProbeFleet } from './probe-fleet.js';
import { applyLocationChanges, type FromProbeThread, type ProbeThreadStart, type ToProbeThread } from './probe-thread.js';
import { watchList } from './watch-cache.js';

const start = workerData as ProbeThreadStart;
const send = (m: FromProbeThread): void => parentPort?.postMessage(m);

async function main(): Promise<void> {
  const admin = new KubeConfig();
  admin.loadFromString(start.kubeconfig);
  const locations = new Map<string, PodLocation>();
  let coordinatorUrl: string | undefined;
  const core = admin.makeApiClient(CoreV1Api);
  const labelSelector = `${PROBE_POD_LABEL}=probe`;
  const pods = await watchList<V1Pod>(admin, `/api/v1/namespaces/${AGENT_NAMESPACE}/pods`, () => core.listNamespacedPod({ namespace: AGENT_NAMESPACE, labelSelector }), { labelSelector });
  const fleet = new ProbeFleet({
    admin,
    podLocations: () => locations,
    pods: () => pods.list(),
    coordinatorUrl: () => coordinatorUrl,
    reportEveryMs: start.reportEveryMs,
    seed: start.seed,
    log: silentLogger(),
  });
  parentPort?.on('message', (m: ToProbeThread) => {
    if (m.kind === 'locations') applyLocationChanges(locations, m);
    else if (m.kind === 'coordinator') coordinatorUrl = m.url;
    else void Promise.all([fleet.stop(), pods.stop()]).finally(() => send({ kind: 'stopped' }));
  });
  fleet.start();
  send({ kind: 'started' });
}

main().catch((e: unknown) => send({ kind: 'failed', message: describeError(e) }));
