/**
 * The DaemonSet controller: keeps one pod per eligible node, replaces pods on a template change within
 * maxUnavailable, and reports status. Decisions come from each DaemonSet's `DaemonSetTally` (kept node by node from
 * the informers' events); this file only does the I/O.
 */
import type { V1DaemonSet, V1Node, V1Pod } from '@kubernetes/client-node';
import { templateHash } from '../daemonset-node.js';
import { DaemonSetTally, type DaemonSetPlan } from '../daemonset-tally.js';
import { PodExpectations } from '../expectations.js';
import type { Cache } from '../informers.js';
import { deleteIfPresent, mergePatch, write } from '../kube.js';
import { controllerUid } from '../placement.js';
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

/** A DaemonSet's tally and the key its reconcile runs under. */
interface Tracked {
  key: string;
  tally: DaemonSetTally;
}

export class DaemonSetController {
  readonly queue: WorkQueue;
  private readonly expectations = new PodExpectations();
  private readonly owned: PodsByOwner;
  /** Each DaemonSet's plan kept node by node, by its uid; made (over every node) by its first reconcile. */
  private readonly tracked = new Map<string, Tracked>();

  constructor(
    private readonly deps: ControllerDeps,
    private readonly caches: DaemonSetCaches,
  ) {
    this.queue = new WorkQueue({ name: 'daemonsets', handle: (k) => this.reconcile(k), log: deps.log });
    this.owned = new PodsByOwner(caches.pods);
  }

  start(): void {
    this.caches.daemonSets.onChange((ds) => this.queue.add(dsKey(ds.metadata?.namespace, ds.metadata?.name)));
    this.caches.daemonSets.onDelete((ds) => this.tracked.delete(ds.metadata?.uid ?? ''));
    this.owned.onPlaceChanged((owner, node) => this.tracked.get(owner)?.tally.podsChanged(node));
    this.caches.pods.onChange((pod) => this.enqueueOwner(pod));
    this.caches.pods.onDelete((pod) => {
      this.expectations.forget(pod);
      this.enqueueOwner(pod);
    });
    this.caches.nodes.onChange((node) => this.nodeChanged((t) => t.tally.nodeChanged(node)));
    this.caches.nodes.onDelete((node) => this.nodeChanged((t) => t.tally.nodeRemoved(node.metadata?.name ?? '')));
    this.enqueueAll();
  }

  /**
   * As kube-controller-manager's: a Node event enqueues a DaemonSet only when it changes whether the node should
   * run its pod (labels, taints), not on every annotation or status write.
   */
  private nodeChanged(changes: (t: Tracked) => boolean): void {
    for (const t of this.tracked.values()) if (changes(t)) this.queue.add(t.key);
  }

  private enqueueAll(): void {
    for (const ds of this.caches.daemonSets.list()) this.queue.add(dsKey(ds.metadata?.namespace, ds.metadata?.name));
  }

  private enqueueOwner(pod: V1Pod): void {
    const ref = pod.metadata?.ownerReferences?.find((r) => r.controller === true && r.kind === 'DaemonSet');
    if (ref) this.queue.add(dsKey(pod.metadata?.namespace, ref.name));
  }

  /** The DaemonSet's tally, made anew over every node and pod when its template or generation changed. */
  private trackedFor(ds: V1DaemonSet, key: string, uid: string): Tracked {
    const known = this.tracked.get(uid);
    if (known?.tally.describes(ds)) return known;
    const t = { key, tally: new DaemonSetTally(ds, this.caches.nodes.list(), this.owned.nodesOf(uid)) };
    this.tracked.set(uid, t);
    return t;
  }

  private async reconcile(key: string): Promise<void> {
    const [namespace = '', name = ''] = key.split('/');
    const ds = this.caches.daemonSets.get(name, namespace);
    if (!ds || ds.metadata?.deletionTimestamp) return;
    const { tally, plan } = this.plan(ds, key);
    const hash = templateHash(ds);
    await slowStartBatches(plan.createOn.map((node) => buildDaemonPod(ds, { node, suffix: nameSuffix(this.deps.random), hash })), (pod) => this.createPod(pod, tally));
    for (const podName of plan.deletePods) await this.deletePod(tally, podName, namespace);
    const patch = statusPatch(ds.status, plan.status, DAEMONSET_STATUS_KEYS);
    if (patch) await write((o) => this.deps.clients.apps.patchNamespacedDaemonSetStatus({ name, namespace, body: patch }, o), mergePatch());
  }

  /** The plan from the DaemonSet's tally, after marking the nodes whose expected writes ran out of time. */
  private plan(ds: V1DaemonSet, key: string): { tally: DaemonSetTally; plan: DaemonSetPlan } {
    const uid = ds.metadata?.uid ?? '';
    const { tally } = this.trackedFor(ds, key, uid);
    for (const pod of this.expectations.expire()) this.tracked.get(controllerUid(pod) ?? '')?.tally.podsChanged(pod.spec?.nodeName ?? '');
    const mine = (p: V1Pod): boolean => controllerUid(p) === uid;
    return { tally, plan: tally.plan(ds, (node) => this.expectations.viewOnNode(this.owned.onNode(uid, node), node, mine)) };
  }

  private async createPod(pod: V1Pod, tally: DaemonSetTally): Promise<void> {
    this.expectations.expectCreated(pod);
    tally.podsChanged(pod.spec?.nodeName ?? '');
    try {
      await write((o) => this.deps.clients.core.createNamespacedPod({ namespace: pod.metadata?.namespace ?? '', body: pod }, o));
    } catch (e) {
      // Else the node would count as having its pod until the expectation's deadline, and nothing reconciles after it.
      this.expectations.creationFailed(pod);
      tally.podsChanged(pod.spec?.nodeName ?? '');
      throw e;
    }
    this.deps.log.debug({ node: pod.spec?.nodeName, pod: pod.metadata?.name }, 'daemon pod created');
  }

  private async deletePod(tally: DaemonSetTally, name: string, namespace: string): Promise<void> {
    const pod = this.caches.pods.get(name, namespace) ?? this.expectations.createdPod(name, namespace);
    if (pod) {
      this.expectations.expectDeleted(pod);
      tally.podsChanged(pod.spec?.nodeName ?? '');
    }
    this.deps.log.debug({ node: pod?.spec?.nodeName, pod: name }, 'daemon pod deleted');
    await deleteIfPresent(() => write((o) => this.deps.clients.core.deleteNamespacedPod({ name, namespace }, o)));
  }
}
