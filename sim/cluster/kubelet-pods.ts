/**
 * The pod side of the simulated kubelets: start the containers of pods bound to simulated nodes (address,
 * Running, Ready after an optional delay), run check pods to completion from the network model, and finish
 * graceful deletions by deleting with grace 0 once the containers are stopped.
 */
import type { V1Pod } from '@kubernetes/client-node';
import type { Logger } from '../../shared/logger.js';
import { CHECK_POD_COMPONENT, CILIUM_NAMESPACE, COMPONENT_LABEL } from '../../shared/names.js';
import { computeCheckReport, readCheckInput, reportPassed, type CheckWorld, type PeerLocation } from './check-report.js';
import { ipInCidr } from './network-model.js';
import type { FaultBoard } from './faults.js';
import type { Cache } from './informers.js';
import { deleteIfPresent, isNotFound, mergePatch, write, type KubeClients } from './kube.js';
import type { NodeRegistry, PodRuntime, SimNodeState } from './node-registry.js';
import { isPodFinished, isPodReady, isTerminating } from './placement.js';
import type { PodsByNode } from './pods-by-node.js';
import { finishedStatus, runningStatus, statusShows } from './pod-status.js';
import { WorkQueue } from './work-queue.js';

export interface PodRunnerOptions {
  clients: KubeClients;
  log: Logger;
  registry: NodeRegistry;
  faults: FaultBoard;
  pods: Cache<V1Pod>;
  podsByNode: PodsByNode;
  ciliumReadyDelayMs: number;
  /** Delay between a pod's deletionTimestamp and the kubelet's final delete (default 0). */
  deleteDelayMs: number;
  seed: number;
  apiUrl: string;
  now: () => Date;
}

export const isCiliumPod = (pod: V1Pod): boolean =>
  pod.metadata?.namespace === CILIUM_NAMESPACE && pod.metadata.labels?.['k8s-app'] === 'cilium';
const isCheckPod = (pod: V1Pod): boolean => pod.metadata?.labels?.[COMPONENT_LABEL] === CHECK_POD_COMPONENT;
const uidOf = (pod: V1Pod): string => pod.metadata?.uid ?? '';
const podKey = (pod: V1Pod): string => `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`;

export class PodRunner {
  readonly queue: WorkQueue;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(private readonly opts: PodRunnerOptions) {
    this.queue = new WorkQueue({ name: 'kubelet-pods', handle: (k) => this.sync(k), log: opts.log });
  }

  /** Queue every pod bound to this node (after a boot). */
  resyncNode(nodeName: string): void {
    for (const pod of this.opts.podsByNode.on(nodeName)) this.queue.add(podKey(pod));
  }

  enqueue(pod: V1Pod): void {
    if (this.opts.registry.get(pod.spec?.nodeName)) this.queue.add(podKey(pod));
  }

  /** A pod object is gone: its containers stop and its address is freed. */
  forget(pod: V1Pod): void {
    const node = this.opts.registry.get(pod.spec?.nodeName);
    if (node) this.opts.registry.stopPod(node, pod.metadata?.uid ?? '');
  }

  stop(): void {
    this.queue.close();
    for (const t of this.timers) clearTimeout(t);
  }

  private later(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, ms);
    this.timers.add(timer);
  }

  /** The pod behind a key, with its node, when this kubelet has something to do for it. */
  private locate(key: string): { pod: V1Pod; node: SimNodeState } | undefined {
    const [namespace = '', name = ''] = key.split('/');
    const pod = this.opts.pods.get(name, namespace);
    const node = this.opts.registry.get(pod?.spec?.nodeName);
    return pod && node?.up && !isPodFinished(pod) ? { pod, node } : undefined;
  }

  private async sync(key: string): Promise<void> {
    const found = this.locate(key);
    if (!found) return;
    const { pod, node } = found;
    if (isTerminating(pod)) return this.finishDeletion(node, pod);
    const runtime = node.pods.get(uidOf(pod)) ?? this.startContainers(node, pod);
    if (isCheckPod(pod)) return this.runCheck(node, pod, runtime);
    return this.reportRunning(node, pod, runtime);
  }

  private async reportRunning(node: SimNodeState, pod: V1Pod, runtime: PodRuntime): Promise<void> {
    if (statusShows(pod, { podIP: runtime.ip, ready: runtime.ready, restartCount: runtime.restartCount })) return;
    const status = runningStatus(pod, { ...runtime, podIP: runtime.ip, hostIP: node.id.internalIP, scheduledAt: runtime.startedAt });
    await this.writeStatus(pod, status);
  }

  /** How long until a new pod is Ready: Cilium's agent takes a moment, or forever under the fault. */
  private readyDelay(node: SimNodeState, pod: V1Pod): number {
    if (isCheckPod(pod)) return Infinity;
    if (!isCiliumPod(pod)) return 0;
    return this.opts.faults.of(node.id.name).ciliumNeverReady ? Infinity : this.opts.ciliumReadyDelayMs;
  }

  private startContainers(node: SimNodeState, pod: V1Pod): PodRuntime {
    const delay = this.readyDelay(node, pod);
    const runtime = this.opts.registry.startPod(node, pod.metadata?.uid ?? '', {
      hostNetwork: pod.spec?.hostNetwork === true,
      ready: delay === 0,
      now: this.opts.now(),
    });
    if (delay > 0 && Number.isFinite(delay)) {
      this.later(delay, () => {
        runtime.ready = !this.opts.faults.of(node.id.name).ciliumNeverReady;
        this.queue.add(podKey(pod));
      });
    }
    this.opts.log.debug({ node: node.id.name, pod: pod.metadata?.name, ip: runtime.ip }, 'containers started');
    return runtime;
  }

  private async finishDeletion(node: SimNodeState, pod: V1Pod): Promise<void> {
    const { name = '', namespace = '', uid = '' } = pod.metadata ?? {};
    this.opts.registry.stopPod(node, uid);
    const remove = async (): Promise<void> => {
      await deleteIfPresent(() =>
        write((o) => this.opts.clients.core.deleteNamespacedPod({ name, namespace, body: { gracePeriodSeconds: 0, preconditions: { uid } } }, o)),
      );
    };
    if (this.opts.deleteDelayMs <= 0) return remove();
    this.later(this.opts.deleteDelayMs, () => void remove().catch(() => this.queue.add(podKey(pod))));
  }

  private async runCheck(node: SimNodeState, pod: V1Pod, runtime: PodRuntime): Promise<void> {
    if (runtime.finished) return;
    const input = readCheckInput(pod);
    const world = this.checkWorld(node, runtime, await this.hostLegacyRouting());
    const report = input ? computeCheckReport(world, input) : undefined;
    const succeeded = report !== undefined && reportPassed(report);
    const message = report ? JSON.stringify(report) : 'check pod env is incomplete';
    const now = this.opts.now();
    const base = { podIP: runtime.ip, hostIP: node.id.internalIP, startedAt: runtime.startedAt, scheduledAt: runtime.startedAt, ready: false, restartCount: 0 };
    await this.writeStatus(pod, finishedStatus(pod, { ...base, finishedAt: now, succeeded, message }));
    runtime.finished = true;
  }

  /** Whether Cilium routes through the host stack (`enable-host-legacy-routing`), so Calico and Cilium pods reach each other. */
  private async hostLegacyRouting(): Promise<boolean> {
    try {
      const cm = await this.opts.clients.core.readNamespacedConfigMap({ name: 'cilium-config', namespace: CILIUM_NAMESPACE });
      return cm.data?.['enable-host-legacy-routing'] !== 'false';
    } catch (e) {
      if (isNotFound(e)) return true;
      throw e;
    }
  }

  private checkWorld(node: SimNodeState, runtime: PodRuntime, crossCniRouting: boolean): CheckWorld {
    const { registry, faults } = this.opts;
    return {
      node: node.id.name,
      cni: node.network.active,
      podIP: runtime.ip,
      faults: faults.of(node.id.name),
      apiUrl: this.opts.apiUrl,
      findPeer: (ip) => {
        const hit = registry.findByIp(ip);
        if (!hit) return this.peerElsewhere(ip);
        return { node: hit.node.id.name, cni: hit.runtime.cni ?? hit.node.network.active, networkBroken: faults.of(hit.node.id.name).podNetworkBroken };
      },
      dnsReady: this.coreDnsReady(),
      dnsAnswer: '10.96.0.1',
      crossCniRouting,
      seed: this.opts.seed,
    };
  }

  /**
   * A running pod on a node this simulation does not play (the cluster's own nodes, in the third mode): the
   * cluster routes to it as it would from any Calico node; its CNI is read from its address.
   */
  private peerElsewhere(ip: string): PeerLocation | undefined {
    const pod = this.opts.pods
      .list()
      .find((p) => p.status?.podIP === ip && p.status.phase === 'Running' && p.spec?.hostNetwork !== true && !this.opts.registry.get(p.spec?.nodeName));
    const node = pod?.spec?.nodeName;
    if (node === undefined) return undefined;
    return { node, cni: ipInCidr(ip, this.opts.registry.pools.cilium) ? 'cilium' : 'calico', networkBroken: false };
  }

  private coreDnsReady(): boolean {
    return this.opts.pods
      .list('kube-system')
      .some((p) => p.metadata?.labels?.['k8s-app'] === 'kube-dns' && isPodReady(p) && !isTerminating(p) && this.opts.registry.get(p.spec?.nodeName)?.up !== false);
  }

  private async writeStatus(pod: V1Pod, status: object): Promise<void> {
    const { name = '', namespace = '' } = pod.metadata ?? {};
    try {
      await write((o) => this.opts.clients.core.patchNamespacedPodStatus({ name, namespace, body: { status } }, o), mergePatch());
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
}
