/**
 * The cluster's ordinary tenants: namespaces, CoreDNS (2 replicas and a PDB), and demo workloads guarded
 * by PDBs, so drains have something to respect.
 */
import type { V1ConfigMap, V1Deployment, V1Namespace, V1PodDisruptionBudget, V1Toleration } from '@kubernetes/client-node';
import { CONTROL_PLANE_LABEL } from '../../../shared/names.js';

export const SEED_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease', 'demo'];

export const namespace = (name: string): V1Namespace => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });

interface WorkloadShape {
  namespace: string;
  name: string;
  replicas: number;
  labels: Record<string, string>;
  image: string;
  tolerations?: V1Toleration[];
}

export function deployment(w: WorkloadShape): V1Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: w.name, namespace: w.namespace, labels: { ...w.labels } },
    spec: {
      replicas: w.replicas,
      selector: { matchLabels: { ...w.labels } },
      template: {
        metadata: { labels: { ...w.labels } },
        spec: { containers: [{ name: w.name, image: w.image }], ...(w.tolerations ? { tolerations: w.tolerations } : {}) },
      },
    },
  };
}

type Budget = { minAvailable: number | string } | { maxUnavailable: number | string };

export function disruptionBudget(ns: string, name: string, matchLabels: Record<string, string>, budget: Budget): V1PodDisruptionBudget {
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name, namespace: ns },
    spec: { selector: { matchLabels }, ...budget },
  };
}

const DNS_LABELS = { 'k8s-app': 'kube-dns' };
const WEB_LABELS = { app: 'web' };
const API_LABELS = { app: 'api' };

export const seedDeployments = (): V1Deployment[] => [
  deployment({
    namespace: 'kube-system',
    name: 'coredns',
    replicas: 2,
    labels: DNS_LABELS,
    image: 'registry.k8s.io/coredns/coredns:v1.10.1',
    tolerations: [
      { key: 'CriticalAddonsOnly', operator: 'Exists' },
      { key: CONTROL_PLANE_LABEL, effect: 'NoSchedule' },
    ],
  }),
  deployment({ namespace: 'demo', name: 'web', replicas: 3, labels: WEB_LABELS, image: 'nginx:1.25' }),
  deployment({ namespace: 'demo', name: 'api', replicas: 2, labels: API_LABELS, image: 'ghcr.io/demo/api:1.0' }),
];

/** The PDBs; with `neverEvicts`, the api's allows no disruption at all (maxUnavailable 0), as some teams set it. */
export const seedDisruptionBudgets = (neverEvicts = false): V1PodDisruptionBudget[] => [
  disruptionBudget('kube-system', 'coredns', DNS_LABELS, { maxUnavailable: 1 }),
  disruptionBudget('demo', 'web', WEB_LABELS, { minAvailable: 2 }),
  disruptionBudget('demo', 'api', API_LABELS, { maxUnavailable: neverEvicts ? 0 : 1 }),
];

/** kubeadm's record of the cluster configuration: where the Service and node pod CIDRs are published. */
export const kubeadmConfig = (): V1ConfigMap => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'kubeadm-config', namespace: 'kube-system' },
  data: {
    ClusterConfiguration: [
      'apiVersion: kubeadm.k8s.io/v1beta3',
      'kind: ClusterConfiguration',
      'kubernetesVersion: v1.28.7',
      'networking:',
      '  dnsDomain: cluster.local',
      '  podSubnet: 10.244.0.0/16',
      '  serviceSubnet: 10.96.0.0/12',
      '',
    ].join('\n'),
  },
});
