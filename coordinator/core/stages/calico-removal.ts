/**
 * The safe order to remove Calico, by install method. Operator installs: the APIServer (and, before going
 * on, its APIService: an unavailable APIService hangs namespace deletion), then the Installation (its
 * finalizers clear only while the operator runs) until it and calico-system are gone, then the operator.
 * Deleting the operator first leaves the Installation stuck. Manifest installs: calico-node,
 * calico-kube-controllers and its PDB, typha, calico-config and their RBAC. Pure.
 */
import type { InstallMethod, StageStep } from './record.js';

/** An object the removal deletes or waits for. `apiVersion` + `resource` address it in the API. */
export interface ObjectRef {
  apiVersion: string;
  resource: string;
  kind: string;
  name: string;
  namespace?: string;
}

export interface RemovalStep {
  step: StageStep;
  /** Deleted when the step starts (absent ones are skipped). */
  remove: readonly ObjectRef[];
  /** The step is over once none of these exists. */
  waitGone: readonly ObjectRef[];
}

export const describeRef = (r: ObjectRef): string => `${r.kind} ${r.namespace ? `${r.namespace}/` : ''}${r.name}`;
export const refKey = (r: ObjectRef): string => `${r.apiVersion}/${r.resource}/${r.namespace ?? ''}/${r.name}`;

const OPERATOR_API = 'operator.tigera.io/v1';
const apiServer: ObjectRef = { apiVersion: OPERATOR_API, resource: 'apiservers', kind: 'APIServer', name: 'default' };
const apiService: ObjectRef = {
  apiVersion: 'apiregistration.k8s.io/v1',
  resource: 'apiservices',
  kind: 'APIService',
  name: 'v3.projectcalico.org',
};
const installation: ObjectRef = { apiVersion: OPERATOR_API, resource: 'installations', kind: 'Installation', name: 'default' };
const ns = (name: string): ObjectRef => ({ apiVersion: 'v1', resource: 'namespaces', kind: 'Namespace', name });
const inKubeSystem = (apiVersion: string, resource: string, kind: string, name: string): ObjectRef => ({
  apiVersion,
  resource,
  kind,
  name,
  namespace: 'kube-system',
});
const cluster = (apiVersion: string, resource: string, kind: string, name: string): ObjectRef => ({ apiVersion, resource, kind, name });

const operatorDeployment: ObjectRef = {
  apiVersion: 'apps/v1',
  resource: 'deployments',
  kind: 'Deployment',
  name: 'tigera-operator',
  namespace: 'tigera-operator',
};

const RBAC = 'rbac.authorization.k8s.io/v1';
const manifestObjects: readonly ObjectRef[] = [
  inKubeSystem('apps/v1', 'daemonsets', 'DaemonSet', 'calico-node'),
  inKubeSystem('apps/v1', 'deployments', 'Deployment', 'calico-kube-controllers'),
  inKubeSystem('policy/v1', 'poddisruptionbudgets', 'PodDisruptionBudget', 'calico-kube-controllers'),
  inKubeSystem('apps/v1', 'deployments', 'Deployment', 'calico-typha'),
  inKubeSystem('v1', 'services', 'Service', 'calico-typha'),
  inKubeSystem('policy/v1', 'poddisruptionbudgets', 'PodDisruptionBudget', 'calico-typha'),
  inKubeSystem('v1', 'configmaps', 'ConfigMap', 'calico-config'),
  inKubeSystem('v1', 'serviceaccounts', 'ServiceAccount', 'calico-node'),
  inKubeSystem('v1', 'serviceaccounts', 'ServiceAccount', 'calico-kube-controllers'),
  cluster(RBAC, 'clusterrolebindings', 'ClusterRoleBinding', 'calico-node'),
  cluster(RBAC, 'clusterrolebindings', 'ClusterRoleBinding', 'calico-kube-controllers'),
  cluster(RBAC, 'clusterroles', 'ClusterRole', 'calico-node'),
  cluster(RBAC, 'clusterroles', 'ClusterRole', 'calico-kube-controllers'),
];

const OPERATOR_PLAN: readonly RemovalStep[] = [
  { step: 'RemovingApiServer', remove: [apiServer], waitGone: [apiServer, apiService] },
  { step: 'RemovingInstallation', remove: [installation], waitGone: [installation, ns('calico-system')] },
  { step: 'RemovingOperator', remove: [operatorDeployment, ns('tigera-operator')], waitGone: [operatorDeployment, ns('tigera-operator')] },
];

const MANIFEST_PLAN: readonly RemovalStep[] = [{ step: 'RemovingManifest', remove: manifestObjects, waitGone: manifestObjects }];

/** The removal steps for an install method, in order (none when Calico is not installed). */
export function removalPlan(method: InstallMethod): readonly RemovalStep[] {
  if (method === 'operator') return OPERATOR_PLAN;
  if (method === 'manifest') return MANIFEST_PLAN;
  return [];
}

/** Every object any step of `method` may delete or wait for (what the engine reads). */
export const refsOf = (method: InstallMethod): ObjectRef[] => removalPlan(method).flatMap((s) => [...s.remove, ...s.waitGone]);

/** An object's state as read from the API: absent, or present (being deleted, with these finalizers). */
export interface ObjectPresence {
  deleting: boolean;
  finalizers: string[];
}

/** Why the step is still waiting, naming each object and any finalizer holding it. */
export function whatRemains(step: RemovalStep, present: ReadonlyMap<string, ObjectPresence>): string[] {
  const out: string[] = [];
  for (const r of step.waitGone) {
    const p = present.get(refKey(r));
    if (!p) continue;
    const fin = p.finalizers.length > 0 ? ` (finalizers: ${p.finalizers.join(', ')})` : '';
    out.push(`${describeRef(r)} ${p.deleting ? 'still terminating' : 'still present'}${fin}`);
  }
  return out;
}

/** The Calico API groups whose CRDs go last; policy.networking.k8s.io (AdminNetworkPolicy) is not Calico's. */
export const CALICO_CRD_GROUPS: readonly string[] = ['crd.projectcalico.org', 'operator.tigera.io'];

/** Calico CRD kinds (plurals) holding user data worth a backup. */
export const BACKUP_PLURALS: readonly string[] = [
  'ippools',
  'ipreservations',
  'bgpconfigurations',
  'bgppeers',
  'bgpfilters',
  'felixconfigurations',
  'kubecontrollersconfigurations',
  'networkpolicies',
  'globalnetworkpolicies',
  'stagednetworkpolicies',
  'stagedglobalnetworkpolicies',
  'stagedkubernetesnetworkpolicies',
  'tiers',
  'networksets',
  'globalnetworksets',
  'hostendpoints',
];
