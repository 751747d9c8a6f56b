/**
 * The scheduler: binds pods that have no node (created by anyone) through the `binding` subresource,
 * using the pure `pickNode` decision. Pods it cannot place wait for a node change.
 */
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import type { Cache } from '../informers.js';
import { ignoreNotFound, isNotFound, mergePatch } from '../kube.js';
import { controllerUid, isPodFinished, isTerminating } from '../placement.js';
import { loadOf, pickNode } from '../scheduler.js';
import { WorkQueue } from '../work-queue.js';
import { objectKey, splitKey, type ControllerDeps } from './deps.js';

export interface SchedulerCaches {
  nodes: Cache<V1Node>;
  pods: Cache<V1Pod>;
}

const needsNode = (pod: V1Pod): boolean =>
  !pod.spec?.nodeName && !isTerminating(pod) && !isPodFinished(pod) && (pod.spec?.schedulerName ?? 'default-scheduler') === 'default-scheduler';

export class SchedulerLoop {
  readonly queue: WorkQueue;
  private warnedNoBinding = false;
  /**
   * Pods waiting for a node, kept from the pod events (kube-scheduler's unschedulable queue): a Node change
   * retries these, not a scan of every pod (once per Node write made a rollout's cost grow with the square
   * of the cluster's size).
   */
  private readonly pending = new Set<string>();

  constructor(
    private readonly deps: ControllerDeps,
    private readonly caches: SchedulerCaches,
  ) {
    this.queue = new WorkQueue({ name: 'scheduler', handle: (k) => this.schedule(k), log: deps.log });
  }

  start(): void {
    this.caches.pods.onChange((pod) => this.podChanged(pod));
    this.caches.pods.onDelete((pod) => this.pending.delete(objectKey(pod.metadata)));
    this.caches.nodes.onChange(() => this.enqueuePending());
    for (const pod of this.caches.pods.list()) this.podChanged(pod);
  }

  private podChanged(pod: V1Pod): void {
    const key = objectKey(pod.metadata);
    if (!needsNode(pod)) {
      this.pending.delete(key);
      return;
    }
    this.pending.add(key);
    this.queue.add(key);
  }

  private enqueuePending(): void {
    for (const key of this.pending) this.queue.add(key);
  }

  private async schedule(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const pod = this.caches.pods.get(name, namespace);
    if (!pod || !needsNode(pod)) return;
    const node = pickNode(pod.spec ?? { containers: [] }, controllerUid(pod), this.caches.nodes.list(), loadOf(this.caches.pods.list()));
    if (!node) return;
    await this.bind(namespace, name, node);
    this.deps.log.debug({ node, pod: name }, 'pod bound');
  }

  /**
   * Bind through the `binding` subresource, as kube-scheduler does. An API server that does not serve it
   * (404 while the pod exists) gets `spec.nodeName` set instead, with a warning.
   */
  private async bind(namespace: string, name: string, node: string): Promise<void> {
    const { core } = this.deps.clients;
    try {
      await core.createNamespacedPodBinding({ name, namespace, body: { metadata: { name }, target: { kind: 'Node', name: node } } });
      return;
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
    if (!this.caches.pods.get(name, namespace)) return;
    if (!this.warnedNoBinding) this.deps.log.warn({ pod: name }, 'the API server does not serve pods/binding; setting spec.nodeName instead');
    this.warnedNoBinding = true;
    await ignoreNotFound(() => core.patchNamespacedPod({ name, namespace, body: { spec: { nodeName: node } } }, mergePatch()));
  }
}
