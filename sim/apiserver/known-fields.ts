/**
 * Server-side field validation for the built-in kinds the tool and deploy/ write: the field names of the
 * object, its metadata, its spec and a pod template down to its containers, as the v1.28 types declare them.
 * Below that (probes, env, volumes' sources, security contexts, ...) nothing is checked. An unknown field is
 * a 400 under `fieldValidation=Strict` (what kubectl sends), a Warning otherwise, nothing under `Ignore`.
 */
import { isObj } from './json.js';
import type { ResourceDef } from './resources.js';

/** A field's own fields (checked), or `true` for a field whose content is not checked. */
interface Fields {
  [field: string]: Fields | true;
}

const any = (...names: string[]): Fields => Object.fromEntries(names.map((n) => [n, true]));

const META = any(
  'name', 'generateName', 'namespace', 'selfLink', 'uid', 'resourceVersion', 'generation', 'creationTimestamp', 'deletionTimestamp',
  'deletionGracePeriodSeconds', 'labels', 'annotations', 'ownerReferences', 'finalizers', 'managedFields',
);

const CONTAINER = any(
  'name', 'image', 'command', 'args', 'workingDir', 'ports', 'envFrom', 'env', 'resources', 'resizePolicy', 'restartPolicy', 'volumeMounts',
  'volumeDevices', 'livenessProbe', 'readinessProbe', 'startupProbe', 'lifecycle', 'terminationMessagePath', 'terminationMessagePolicy',
  'imagePullPolicy', 'securityContext', 'stdin', 'stdinOnce', 'tty',
);

const POD_SPEC: Fields = {
  ...any(
    'volumes', 'restartPolicy', 'terminationGracePeriodSeconds', 'activeDeadlineSeconds', 'dnsPolicy', 'nodeSelector', 'serviceAccountName',
    'serviceAccount', 'automountServiceAccountToken', 'nodeName', 'hostNetwork', 'hostPID', 'hostIPC', 'shareProcessNamespace', 'securityContext',
    'imagePullSecrets', 'hostname', 'subdomain', 'affinity', 'schedulerName', 'tolerations', 'hostAliases', 'priorityClassName', 'priority',
    'dnsConfig', 'readinessGates', 'runtimeClassName', 'enableServiceLinks', 'preemptionPolicy', 'overhead', 'topologySpreadConstraints',
    'setHostnameAsFQDN', 'os', 'hostUsers', 'schedulingGates', 'resourceClaims', 'ephemeralContainers',
  ),
  containers: CONTAINER,
  initContainers: CONTAINER,
};

const TEMPLATE: Fields = { metadata: META, spec: POD_SPEC };
const top = (fields: Fields): Fields => ({ apiVersion: true, kind: true, metadata: META, ...fields });

const KNOWN: Record<string, Fields> = {
  '/pods': top({ spec: POD_SPEC, status: true }),
  'apps/daemonsets': top({ spec: { ...any('selector', 'updateStrategy', 'minReadySeconds', 'revisionHistoryLimit'), template: TEMPLATE }, status: true }),
  'apps/deployments': top({ spec: { ...any('replicas', 'selector', 'strategy', 'minReadySeconds', 'revisionHistoryLimit', 'paused', 'progressDeadlineSeconds'), template: TEMPLATE }, status: true }),
  'apps/replicasets': top({ spec: { ...any('replicas', 'minReadySeconds', 'selector'), template: TEMPLATE }, status: true }),
  '/services': top({
    spec: any(
      'ports', 'selector', 'clusterIP', 'clusterIPs', 'type', 'externalIPs', 'sessionAffinity', 'loadBalancerIP', 'loadBalancerSourceRanges',
      'externalName', 'externalTrafficPolicy', 'healthCheckNodePort', 'publishNotReadyAddresses', 'sessionAffinityConfig', 'ipFamilies',
      'ipFamilyPolicy', 'allocateLoadBalancerNodePorts', 'loadBalancerClass', 'internalTrafficPolicy',
    ),
    status: true,
  }),
  '/namespaces': top(any('spec', 'status')),
  '/nodes': top(any('spec', 'status')),
  '/serviceaccounts': top(any('secrets', 'imagePullSecrets', 'automountServiceAccountToken')),
  '/configmaps': top(any('data', 'binaryData', 'immutable')),
  '/secrets': top(any('data', 'stringData', 'type', 'immutable')),
  'rbac.authorization.k8s.io/roles': top(any('rules')),
  'rbac.authorization.k8s.io/clusterroles': top(any('rules', 'aggregationRule')),
  'rbac.authorization.k8s.io/rolebindings': top(any('subjects', 'roleRef')),
  'rbac.authorization.k8s.io/clusterrolebindings': top(any('subjects', 'roleRef')),
  'apiextensions.k8s.io/customresourcedefinitions': top({ spec: any('group', 'names', 'scope', 'versions', 'conversion', 'preserveUnknownFields'), status: true }),
  'coordination.k8s.io/leases': top({ spec: any('holderIdentity', 'leaseDurationSeconds', 'acquireTime', 'renewTime', 'leaseTransitions') }),
  'policy/poddisruptionbudgets': top({ spec: any('minAvailable', 'maxUnavailable', 'selector', 'unhealthyPodEvictionPolicy'), status: true }),
};

function walk(value: unknown, fields: Fields, path: string, out: string[]): void {
  if (Array.isArray(value)) {
    value.forEach((item, i) => walk(item, fields, `${path}[${i}]`, out));
    return;
  }
  if (!isObj(value)) return;
  for (const [k, v] of Object.entries(value)) {
    const known = fields[k];
    const at = path === '' ? k : `${path}.${k}`;
    if (known === undefined) out.push(at);
    else if (known !== true) walk(v, known, at, out);
  }
}

/** The unknown fields of `obj`, as paths (`spec.template.spec.containers[0].bogus`); empty for unchecked kinds. */
export function unknownFields(def: ResourceDef, obj: unknown): string[] {
  const fields = def.custom ? undefined : KNOWN[def.storage];
  if (!fields) return [];
  const out: string[] = [];
  walk(obj, fields, '', out);
  return out;
}
