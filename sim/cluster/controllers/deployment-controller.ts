/**
 * The Deployment controller: one ReplicaSet per template, scaled to the Deployment's replicas, and the
 * Deployment's status summed from its ReplicaSets. Decisions come from `planDeployment`.
 */
import type { V1Deployment, V1ReplicaSet } from '@kubernetes/client-node';
import { planDeployment } from '../deployment-plan.js';
import type { Cache } from '../informers.js';
import { createIfAbsent, mergePatch, write } from '../kube.js';
import { WorkQueue } from '../work-queue.js';
import { objectKey, splitKey, type ControllerDeps } from './deps.js';
import { DEPLOYMENT_STATUS_KEYS, statusPatch } from './status-patch.js';

export interface DeploymentCaches {
  deployments: Cache<V1Deployment>;
  replicaSets: Cache<V1ReplicaSet>;
}

const ownerUid = (rs: V1ReplicaSet): string | undefined =>
  rs.metadata?.ownerReferences?.find((r) => r.controller === true && r.kind === 'Deployment')?.uid;

export class DeploymentController {
  readonly queue: WorkQueue;

  constructor(
    private readonly deps: ControllerDeps,
    private readonly caches: DeploymentCaches,
  ) {
    this.queue = new WorkQueue({ name: 'deployments', handle: (k) => this.reconcile(k), log: deps.log });
  }

  start(): void {
    this.caches.deployments.onChange((d) => this.queue.add(objectKey(d.metadata)));
    const rsChanged = (rs: V1ReplicaSet): void => {
      const ref = rs.metadata?.ownerReferences?.find((r) => r.controller === true && r.kind === 'Deployment');
      if (ref) this.queue.add(objectKey({ namespace: rs.metadata?.namespace, name: ref.name }));
    };
    this.caches.replicaSets.onChange(rsChanged);
    this.caches.replicaSets.onDelete(rsChanged);
    for (const d of this.caches.deployments.list()) this.queue.add(objectKey(d.metadata));
  }

  private async reconcile(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const d = this.caches.deployments.get(name, namespace);
    if (!d || d.metadata?.deletionTimestamp) return;
    const owned = this.caches.replicaSets.list(namespace).filter((rs) => ownerUid(rs) === d.metadata?.uid);
    const plan = planDeployment(d, owned);
    const created = plan.createReplicaSet;
    if (created) await createIfAbsent(() => this.deps.clients.apps.createNamespacedReplicaSet({ namespace, body: created }));
    for (const [rsName, replicas] of plan.scale) {
      await this.deps.clients.apps.patchNamespacedReplicaSet({ name: rsName, namespace, body: { spec: { replicas } } }, mergePatch());
    }
    const patch = statusPatch(d.status, plan.status, DEPLOYMENT_STATUS_KEYS);
    if (patch) await write((o) => this.deps.clients.apps.patchNamespacedDeploymentStatus({ name, namespace, body: patch }, o), mergePatch());
  }
}
