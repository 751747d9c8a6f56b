/**
 * The DaemonSet controller: keeps one pod per eligible node, replaces pods on a template change within
 * maxUnavailable, and reports status. Decisions come from `planDaemonSet`; this file only does the I/O.
 */
import type { V1DaemonSet, V1Node, V1Pod } from '@kubernetes/client-node';
import { planDaemonSet, templateHash } from '../daemonset-plan.js';
import { PodExpectations } from '../expectations.js';
import type { Cache } from '../informers.js';
import { deleteIfPresent, mergePatch } from '../kube.js';
import { controllerUid, podFitsNode } from '../placement.js';
import { buildDaemonPod } from '../pod-builders.js';
import { PodsByOwner } from '../pods-by-owner.js';
import { nameSuffix } from '../rand.js';
import { WorkQueue } from '../work-queue.js';
import type { ControllerDeps } from './deps.js';
import { DAEMONSET_STATUS_KEYS, statusPatch } from './status-patch.js';

export interface DaemonSetCaches {
  nodes: Cache<V1Node>;
  pods: Cache<V1Pod>;
  daemonSets: Cache<V1DaemonSet>;
}

/**
 * As kube-controller-manager's slowStartBatch: creates in batches of 1, 2, 4, … sent together, the next batch only
 * after the whole previous one succeeded (one at a time, a thousand-node cluster waited on a thousand round trips
 * per DaemonSet before its last node had its pod).
 */
async function slowStartBatches<T>(items: readonly T[], create: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  for (let size = 1; next < items.length; size *= 2) {
    const batch = items.slice(next, next + size);
    next += batch.length;
    await Promise.all(batch.map(create));
  }
}

const dsKey = (ns: string | undefined, name: string | undefined): string => `${ns ?? ''}/${name ?? ''}`;

export class DaemonSetController {
  readonly queue: WorkQueue;
  private readonly expectations = new PodExpectations();
  /** Per node, which DaemonSets should run a pod there (as last seen). */
  private readonly fitting = new Map<string, string>();
  private readonly owned: PodsByOwner;

  constructor(
    private readonly deps: ControllerDeps,
    private readonly caches: DaemonSetCaches,
  ) {
    this.queue = new WorkQueue({ name: 'daemonsets', handle: (k) => this.reconcile(k), log: deps.log });
    this.owned = new PodsByOwner(caches.pods);
  }

  start(): void {
    this.caches.daemonSets.onChange((ds) => this.queue.add(dsKey(ds.metadata?.namespace, ds.metadata?.name)));
    const podChanged = (pod: V1Pod): void => this.enqueueOwner(pod);
    this.caches.pods.onChange(podChanged);
    this.caches.pods.onDelete(podChanged);
    this.caches.nodes.onChange((node) => this.nodeChanged(node));
    this.caches.nodes.onDelete((node) => {
      this.fitting.delete(node.metadata?.name ?? '');
      this.enqueueAll();
    });
    this.enqueueAll();
  }

  /**
   * As kube-controller-manager's: a Node update enqueues the DaemonSets only when it changes which of them
   * should run a pod there (labels, taints, readiness), not on every annotation or status write (a
   * reconcile looks at every node: once per Node write made a rollout's cost grow with the square of its size).
   */
  private nodeChanged(node: V1Node): void {
    const name = node.metadata?.name ?? '';
    const fits = this.caches.daemonSets.list().map((ds) => (podFitsNode(ds.spec?.template.spec ?? { containers: [] }, node) ? '1' : '0')).join('');
    if (this.fitting.get(name) === fits) return;
    this.fitting.set(name, fits);
    this.enqueueAll();
  }

  private enqueueAll(): void {
    for (const ds of this.caches.daemonSets.list()) this.queue.add(dsKey(ds.metadata?.namespace, ds.metadata?.name));
  }

  private enqueueOwner(pod: V1Pod): void {
    const ref = pod.metadata?.ownerReferences?.find((r) => r.controller === true && r.kind === 'DaemonSet');
    if (ref) this.queue.add(dsKey(pod.metadata?.namespace, ref.name));
  }

  private async reconcile(key: string): Promise<void> {
    const [namespace = '', name = ''] = key.split('/');
    const ds = this.caches.daemonSets.get(name, namespace);
    if (!ds || ds.metadata?.deletionTimestamp) return;
    const uid = ds.metadata?.uid;
    const owned = this.expectations.viewNarrowed(this.owned.of(uid), (p) => controllerUid(p) === uid);
    const plan = planDaemonSet(ds, this.caches.nodes.list(), owned);
    const hash = templateHash(ds);
    await slowStartBatches(plan.createOn.map((node) => buildDaemonPod(ds, { node, suffix: nameSuffix(this.deps.random), hash })), (pod) => this.createPod(pod));
    for (const podName of plan.deletePods) await this.deletePod(owned, podName, namespace);
    const patch = statusPatch(ds.status, plan.status, DAEMONSET_STATUS_KEYS);
    if (patch) await this.deps.clients.apps.patchNamespacedDaemonSetStatus({ name, namespace, body: patch }, mergePatch());
  }

  private async createPod(pod: V1Pod): Promise<void> {
    this.expectations.expectCreated(pod);
    await this.deps.clients.core.createNamespacedPod({ namespace: pod.metadata?.namespace ?? '', body: pod });
    this.deps.log.debug({ node: pod.spec?.nodeName, pod: pod.metadata?.name }, 'daemon pod created');
  }

  private async deletePod(owned: readonly V1Pod[], name: string, namespace: string): Promise<void> {
    const pod = owned.find((p) => p.metadata?.name === name);
    if (pod) this.expectations.expectDeleted(pod);
    this.deps.log.debug({ node: pod?.spec?.nodeName, pod: name }, 'daemon pod deleted');
    await deleteIfPresent(() => this.deps.clients.core.deleteNamespacedPod({ name, namespace }));
  }
}
