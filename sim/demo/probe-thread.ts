/**
 * The simulated probe pods in their own thread, as the probe DaemonSet's pods run on their nodes' CPUs: a
 * thousand pods probing every 200 ms and reporting every second would otherwise share the event loop of the
 * simulated API server, controllers and kubelets, and slow the very cluster they measure. The thread reaches
 * the API server and the coordinator over HTTP as before; what only the simulation knows (where each pod's
 * address is and whether its node is up) it gets from here as it changes, and the leader's address whenever
 * another replica leads.
 */
import { Worker } from 'node:worker_threads';
import type { KubeConfig } from '@kubernetes/client-node';
import { PROBE_INTERVAL_MS } from '../../shared/probe.js';
import type { PodLocation } from '../cluster/probe-model.js';

/**
 * How often the demo sends the thread what changed in the pod network: once a probe interval, as the pods
 * on the demo's loop read it (reading it walks every pod of the simulation).
 */
export const LOCATIONS_EVERY_MS = PROBE_INTERVAL_MS;

/** What the thread is started with (plain data). */
export interface ProbeThreadStart {
  kubeconfig: string;
  reportEveryMs: number;
  seed: number;
}

/** One address's place: [ip, node, cni, nodeUp, networkBroken]. */
export type LocationEntry = [string, PodLocation['node'], PodLocation['cni'], boolean, boolean];

export type ToProbeThread =
  | { kind: 'locations'; set: LocationEntry[]; removed: string[] }
  | { kind: 'coordinator'; url: string | undefined }
  | { kind: 'stop' };

export type FromProbeThread = { kind: 'started' } | { kind: 'stopped' } | { kind: 'failed'; message: string };

const sameLocation = (a: PodLocation, b: PodLocation): boolean =>
  a.node === b.node && a.cni === b.cni && a.nodeUp === b.nodeUp && a.networkBroken === b.networkBroken;

/** What changed between two snapshots of the pod network, as the thread takes it. */
export function locationChanges(before: ReadonlyMap<string, PodLocation>, now: ReadonlyMap<string, PodLocation>): { set: LocationEntry[]; removed: string[] } {
  const set: LocationEntry[] = [];
  for (const [ip, l] of now) {
    const was = before.get(ip);
    if (!was || !sameLocation(was, l)) set.push([ip, l.node, l.cni, l.nodeUp, l.networkBroken]);
  }
  const removed = [...before.keys()].filter((ip) => !now.has(ip));
  return { set, removed };
}

/** Applies changes sent by `locationChanges` to the thread's copy. */
export function applyLocationChanges(into: Map<string, PodLocation>, changes: { set: readonly LocationEntry[]; removed: readonly string[] }): void {
  for (const ip of changes.removed) into.delete(ip);
  for (const [ip, node, cni, nodeUp, networkBroken] of changes.set) into.set(ip, { node, cni, nodeUp, networkBroken });
}

export interface ProbeThreadDeps {
  admin: KubeConfig;
  podLocations: () => Map<string, PodLocation>;
  coordinatorUrl: () => string | undefined;
  reportEveryMs: number;
  seed: number;
}

export interface StoppableFleet {
  stop(): Promise<void>;
}

export async function startProbeThread(d: ProbeThreadDeps): Promise<StoppableFleet> {
  const workerData: ProbeThreadStart = { kubeconfig: d.admin.exportConfig(), reportEveryMs: d.reportEveryMs, seed: d.seed };
  const worker = new Worker(new URL('./probe-thread-main.js', import.meta.url), { workerData });
  const post = (m: ToProbeThread): void => worker.postMessage(m);
  let sent = new Map<string, PodLocation>();
  let url: string | undefined;
  const tell = (): void => {
    const now = d.podLocations();
    const changes = locationChanges(sent, now);
    sent = now;
    if (changes.set.length > 0 || changes.removed.length > 0) post({ kind: 'locations', ...changes });
    const leader = d.coordinatorUrl();
    if (leader !== url) post({ kind: 'coordinator', url: (url = leader) });
  };
  const ended = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  let stopped: () => void = () => undefined;
  await new Promise<void>((resolve, reject) => {
    worker.on('message', (m: FromProbeThread) => {
      if (m.kind === 'started') resolve();
      else if (m.kind === 'stopped') stopped();
      else reject(new Error(`the probe pods' thread did not start: ${m.message}`));
    });
    worker.once('error', reject);
    worker.once('exit', () => reject(new Error("the probe pods' thread ended before it started")));
  }).catch(async (e: unknown) => {
    await worker.terminate();
    throw e;
  });
  tell();
  const timer = setInterval(tell, LOCATIONS_EVERY_MS);
  return {
    async stop() {
      clearInterval(timer);
      const done = new Promise<void>((resolve) => (stopped = resolve));
      post({ kind: 'stop' });
      await Promise.race([done, ended]);
      await worker.terminate();
    },
  };
}
