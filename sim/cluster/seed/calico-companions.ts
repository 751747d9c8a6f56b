/**
 * What ships beside calico-node, so Calico's removal meets a real install's objects. The manifest install
 * (calico-typha.yaml): calico-kube-controllers and typha (Deployments, PodDisruptionBudgets, typha's Service),
 * the ServiceAccounts and the cluster RBAC of calico-node and calico-kube-controllers. The operator install:
 * the APIServer `default` (its CRD registered by the operator) and the aggregated APIService it serves.
 */
import type { KubernetesObject, V1CustomResourceDefinition } from '@kubernetes/client-node';
import { customResourceDefinition } from './crd.js';

const NS = 'kube-system';
const CALICO_VERSION = 'v3.27.3';
const RBAC = 'rbac.authorization.k8s.io/v1';
/** The APIService of Calico's API server (operator install). */
export const CALICO_APISERVICE = 'v3.projectcalico.org';

function deployment(name: string, image: string, hostNetwork: boolean): KubernetesObject {
  const labels = { 'k8s-app': name };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: NS, labels },
    spec: {
      replicas: 1,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          serviceAccountName: name === 'calico-typha' ? 'calico-node' : name,
          hostNetwork,
          priorityClassName: 'system-cluster-critical',
          tolerations: [{ key: 'CriticalAddonsOnly', operator: 'Exists' }, { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }],
          containers: [{ name, image: `docker.io/calico/${image}:${CALICO_VERSION}` }],
        },
      },
    },
  } as KubernetesObject;
}

const disruptionBudget = (name: string): KubernetesObject =>
  ({
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name, namespace: NS, labels: { 'k8s-app': name } },
    spec: { maxUnavailable: 1, selector: { matchLabels: { 'k8s-app': name } } },
  }) as KubernetesObject;

const serviceAccount = (name: string): KubernetesObject => ({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: NS } });

const clusterRole = (name: string): KubernetesObject =>
  ({
    apiVersion: RBAC,
    kind: 'ClusterRole',
    metadata: { name },
    rules: [{ apiGroups: ['crd.projectcalico.org'], resources: ['ippools', 'ipamblocks', 'blockaffinities'], verbs: ['get', 'list', 'watch'] }],
  }) as KubernetesObject;

const clusterRoleBinding = (name: string): KubernetesObject =>
  ({
    apiVersion: RBAC,
    kind: 'ClusterRoleBinding',
    metadata: { name },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
    subjects: [{ kind: 'ServiceAccount', name, namespace: NS }],
  }) as KubernetesObject;

const typhaService = (): KubernetesObject =>
  ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'calico-typha', namespace: NS, labels: { 'k8s-app': 'calico-typha' } },
    spec: { ports: [{ name: 'calico-typha', port: 5473, protocol: 'TCP', targetPort: 5473 }], selector: { 'k8s-app': 'calico-typha' } },
  }) as KubernetesObject;

/** The manifest install's objects beside calico-node and calico-config, in the order `kubectl apply` creates them. */
export const manifestCompanions = (): KubernetesObject[] => [
  ...['calico-node', 'calico-kube-controllers'].flatMap((n) => [serviceAccount(n), clusterRole(n), clusterRoleBinding(n)]),
  typhaService(),
  disruptionBudget('calico-typha'),
  deployment('calico-typha', 'typha', true),
  disruptionBudget('calico-kube-controllers'),
  deployment('calico-kube-controllers', 'kube-controllers', false),
];

export const apiServerCrd = (): V1CustomResourceDefinition =>
  customResourceDefinition({
    group: 'operator.tigera.io',
    kind: 'APIServer',
    plural: 'apiservers',
    scope: 'Cluster',
    versions: ['v1'],
    spec: { apiServerDeployment: { type: 'object', x_kubernetes_preserve_unknown_fields: true } },
  });

/**
 * The operator's APIServer `default`, and the APIService of projectcalico.org/v3. Seeded without a backing
 * Service (a local APIService): on a real cluster (`demo --kubeconfig`) an APIService whose Service never
 * answers would be unavailable, and an unavailable APIService hangs namespace deletion.
 */
export const operatorApiServer = (): KubernetesObject[] => [
  { apiVersion: 'operator.tigera.io/v1', kind: 'APIServer', metadata: { name: 'default' } },
  {
    apiVersion: 'apiregistration.k8s.io/v1',
    kind: 'APIService',
    metadata: { name: CALICO_APISERVICE },
    spec: { group: 'projectcalico.org', version: 'v3', groupPriorityMinimum: 1500, versionPriority: 200 },
  } as KubernetesObject,
];
