/**
 * The ReplicaSet controller: keeps `replicas` pods, placing each new pod with the scheduler's decision,
 * and reports status. Decisions come from `planReplicaSet` and `pickNode`; this file only does the I/O.
 */
import type { V1Node, V1Pod, V1ReplicaSet } from '@kubernetes/client-node';
import { PodExpectations } from '../expectations.js';
import type { Cache } from '../informers.js';
import { deleteIfPresent, mergePatch, write } from '../kube.js';
import { controllerUid } from '../placement.js';
import { buildReplicaPod } from '../pod-builders.js';
import { nameSuffix } from '../rand.js';
import { planReplicaSet } from '../replicaset-plan.js';
import { addToLoad, loadOf, pickNode } from '../scheduler.js';
import { WorkQueue } from '../work-queue.js';
import { objectKey, splitKey, type ControllerDeps } from './deps.js';
import { REPLICASET_STATUS_KEYS, statusPatch } from './status-patch.js';

export interface ReplicaSetCaches {
  nodes: Cache<V1Node>;
  pods: Cache<V1Pod>;
  replicaSets: Cache<V1ReplicaSet>;
}

export class ReplicaSetController {
  readonly queue: WorkQueue;
  private readonly expectations = new PodExpectations();

  constructor(
    private readonly deps: ControllerDeps,
    private readonly caches: ReplicaSetCaches,
  ) {
    this.queue = new WorkQueue({ name: 'replicasets', handle: (k) => this.reconcile(k), log: deps.log });
  }

  start(): void {
    this.caches.replicaSets.onChange((rs) => this.queue.add(objectKey(rs.metadata)));
    const podChanged = (pod: V1Pod): void => {
      const ref = pod.metadata?.ownerReferences?.find((r) => r.controller === true && r.kind === 'ReplicaSet');
      if (ref) this.queue.add(objectKey({ namespace: pod.metadata?.namespace, name: ref.name }));
    };
    this.caches.pods.onChange(podChanged);
    this.caches.pods.onDelete(podChanged);
    for (const rs of this.caches.replicaSets.list()) this.queue.add(objectKey(rs.metadata));
  }

  private async reconcile(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const rs = this.caches.replicaSets.get(name, namespace);
    if (!rs || rs.metadata?.deletionTimestamp) return;
    const uid = rs.metadata?.uid;
    const owned = this.expectations.view(this.caches.pods.list(namespace), (p) => controllerUid(p) === uid);
    const plan = planReplicaSet(rs, owned);
    await this.createReplicas(rs, plan.create);
    for (const podName of plan.deletePods) {
      const pod = owned.find((p) => p.metadata?.name === podName);
      if (pod) this.expectations.expectDeleted(pod);
      await deleteIfPresent(() => write((o) => this.deps.clients.core.deleteNamespacedPod({ name: podName, namespace }, o)));
    }
    const patch = statusPatch(rs.status, plan.status, REPLICASET_STATUS_KEYS);
    if (patch) await write((o) => this.deps.clients.apps.patchNamespacedReplicaSetStatus({ name, namespace, body: patch }, o), mergePatch());
  }

  private async createReplicas(rs: V1ReplicaSet, count: number): Promise<void> {
    if (count === 0) return;
    const load = loadOf(this.expectations.view(this.caches.pods.list()));
    const nodes = this.caches.nodes.list();
    const { uid, namespace = '' } = rs.metadata ?? {};
    const spec = rs.spec?.template?.spec ?? { containers: [] };
    for (let i = 0; i < count; i++) {
      const node = pickNode(spec, uid, nodes, load);
      if (node) addToLoad(load, node, uid);
      const pod = buildReplicaPod(rs, { suffix: nameSuffix(this.deps.random), node });
      this.expectations.expectCreated(pod);
      await write((o) => this.deps.clients.core.createNamespacedPod({ namespace, body: pod }, o)).catch((e: unknown) => {
        this.expectations.creationFailed(pod);
        throw e;
      });
    }
  }
}
