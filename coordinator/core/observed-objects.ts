/**
 * What the coordinator keeps of each watched Node and Cilium pod: the fields it reads, nothing else. The
 * watches project every object on receipt (kube/projections.ts), so at 5,000 nodes the caches hold a few
 * hundred bytes an object instead of whole objects (conditions' messages and times, images, nodeInfo,
 * managedFields, a pod's spec and statuses). A full V1Node or V1Pod is one too, so code reading these takes either.
 */
import type { V1NodeCondition, V1NodeSpec, V1NodeSystemInfo, V1ObjectMeta, V1PodCondition, V1PodSpec } from '@kubernetes/client-node';

/** What is read of a Node: name and version, labels (scope, kind, zone), cni-migrate.io/ annotations (the recorded state), cordon and taints, readiness, boot id. */
export interface ObservedNode {
  metadata?: Pick<V1ObjectMeta, 'name' | 'uid' | 'resourceVersion' | 'labels' | 'annotations' | 'deletionTimestamp'>;
  spec?: Pick<V1NodeSpec, 'unschedulable' | 'taints'>;
  status?: { conditions?: Pick<V1NodeCondition, 'type' | 'status'>[]; nodeInfo?: Pick<V1NodeSystemInfo, 'bootID'> };
}

/** What is read of a Cilium pod: identity and version, its node, whether it is being deleted, readiness. */
export interface ObservedPod {
  metadata?: Pick<V1ObjectMeta, 'name' | 'namespace' | 'uid' | 'resourceVersion' | 'deletionTimestamp'>;
  spec?: Pick<V1PodSpec, 'nodeName'>;
  status?: { conditions?: Pick<V1PodCondition, 'type' | 'status'>[] };
}
