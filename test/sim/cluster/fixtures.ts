/** Small builders of Kubernetes objects for the simulated cluster's table tests. */
import type { V1DaemonSet, V1Node, V1Pod, V1Taint } from '@kubernetes/client-node';

export function node(name: string, opts: { ready?: boolean; unschedulable?: boolean; taints?: V1Taint[]; labels?: Record<string, string> } = {}): V1Node {
  return {
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...opts.labels } },
    spec: { unschedulable: opts.unschedulable ?? false, taints: opts.taints ?? [] },
    status: { conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True' }] },
  };
}

export interface PodOpts {
  node?: string;
  ready?: boolean;
  terminating?: boolean;
  phase?: string;
  owner?: string;
  labels?: Record<string, string>;
}

export function pod(name: string, opts: PodOpts = {}): V1Pod {
  return {
    metadata: {
      name,
      namespace: 'ns',
      labels: opts.labels ?? {},
      ...(opts.terminating ? { deletionTimestamp: new Date(0) } : {}),
      ...(opts.owner ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: opts.owner, uid: opts.owner, controller: true }] } : {}),
    },
    spec: { containers: [{ name: 'c' }], ...(opts.node ? { nodeName: opts.node } : {}) },
    status: {
      phase: opts.phase ?? 'Running',
      conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True' }],
    },
  };
}

export function daemonSet(name: string, opts: { maxUnavailable?: number | string; generation?: number; nodeSelector?: Record<string, string>; restartedAt?: string } = {}): V1DaemonSet {
  return {
    metadata: { name, namespace: 'kube-system', uid: `uid-${name}`, generation: opts.generation ?? 1 },
    spec: {
      selector: { matchLabels: { app: name } },
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: opts.maxUnavailable ?? 1 } },
      template: {
        metadata: { labels: { app: name }, ...(opts.restartedAt ? { annotations: { 'kubectl.kubernetes.io/restartedAt': opts.restartedAt } } : {}) },
        spec: { containers: [{ name: 'agent', image: 'img' }], tolerations: [{ operator: 'Exists' }], ...(opts.nodeSelector ? { nodeSelector: opts.nodeSelector } : {}) },
      },
    },
  };
}
