/**
 * Defaulting and create-time status reset, for the fields our clients read back (as the real defaulting
 * functions and registry strategies do).
 */
import { arrAt, isObj, jsonEqual, metaOf, objAt, type Obj } from './json.js';
import type { ResourceDef } from './resources.js';

function defaultContainer(c: unknown): unknown {
  if (!isObj(c)) return c;
  return {
    terminationMessagePath: '/dev/termination-log',
    terminationMessagePolicy: 'File',
    imagePullPolicy: 'IfNotPresent',
    resources: {},
    ...c,
  };
}

export function defaultPodSpec(spec: Obj): Obj {
  const sa = typeof spec['serviceAccountName'] === 'string' ? spec['serviceAccountName'] : 'default';
  return {
    restartPolicy: 'Always',
    terminationGracePeriodSeconds: 30,
    dnsPolicy: 'ClusterFirst',
    securityContext: {},
    schedulerName: 'default-scheduler',
    ...spec,
    serviceAccountName: sa,
    serviceAccount: sa,
    containers: arrAt(spec, 'containers').map(defaultContainer),
  };
}

function withTemplateDefaults(spec: Obj): Obj {
  const template = objAt(spec, 'template');
  return { ...spec, template: { ...template, spec: defaultPodSpec(objAt(template, 'spec')) } };
}

const CONTROLLER_DEFAULTS: Record<string, Obj> = {
  DaemonSet: { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } }, revisionHistoryLimit: 10 },
  Deployment: { replicas: 1, revisionHistoryLimit: 10, progressDeadlineSeconds: 600, strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } } },
  ReplicaSet: { replicas: 1 },
};

const DS_STATUS: Obj = { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0 };

/** Status an object starts with, by kind (pods start Pending; controllers start empty). */
function initialStatus(def: ResourceDef, obj: Obj): unknown {
  if (def.custom) return undefined;
  switch (def.kind) {
    case 'Pod':
      return { phase: 'Pending', qosClass: 'BestEffort' };
    case 'DaemonSet':
      return DS_STATUS;
    case 'Deployment':
    case 'ReplicaSet':
    case 'PodDisruptionBudget':
      return {};
    case 'Namespace':
      return { phase: 'Active' };
    default:
      return obj['status'];
  }
}

/**
 * Status counters as Go serialises them: `omitempty` ones vanish at zero, the others are always there
 * (a client that writes `numberAvailable: 0` reads it back absent).
 */
const STATUS_COUNTERS: Record<string, { always: string[]; omitEmpty: string[] }> = {
  'apps/daemonsets': {
    always: ['currentNumberScheduled', 'numberMisscheduled', 'desiredNumberScheduled', 'numberReady'],
    omitEmpty: ['observedGeneration', 'updatedNumberScheduled', 'numberAvailable', 'numberUnavailable'],
  },
  'apps/deployments': { always: [], omitEmpty: ['observedGeneration', 'replicas', 'updatedReplicas', 'readyReplicas', 'availableReplicas', 'unavailableReplicas'] },
  'apps/replicasets': { always: ['replicas'], omitEmpty: ['fullyLabeledReplicas', 'readyReplicas', 'availableReplicas', 'observedGeneration'] },
};

export function normaliseStatus(def: ResourceDef, obj: Obj): Obj {
  const counters = STATUS_COUNTERS[def.storage];
  if (!counters || !isObj(obj['status'])) return obj;
  const status: Obj = { ...obj['status'] };
  for (const k of counters.always) if (status[k] === undefined || status[k] === null) status[k] = 0;
  for (const k of counters.omitEmpty) if (status[k] === 0 || status[k] === null) delete status[k];
  return { ...obj, status };
}

/** The object as the server would store it on create (before metadata stamping). */
export function applyCreateDefaults(def: ResourceDef, obj: Obj): Obj {
  const out: Obj = { ...obj };
  if (def.kind === 'Pod') out['spec'] = defaultPodSpec(objAt(obj, 'spec'));
  const ctl = CONTROLLER_DEFAULTS[def.kind];
  if (ctl && def.group === 'apps') out['spec'] = withTemplateDefaults({ ...ctl, ...objAt(obj, 'spec') });
  if (def.kind === 'Namespace') out['spec'] = { finalizers: ['kubernetes'], ...objAt(obj, 'spec') };
  const status = def.hasStatus || def.kind === 'Namespace' ? initialStatus(def, obj) : obj['status'];
  if (status === undefined) delete out['status'];
  else out['status'] = status;
  return normaliseStatus(def, out);
}

const TEMPLATE_GENERATION = 'deprecated.daemonset.template.generation';

/**
 * A DaemonSet's template generation, kept by the server in an annotation: 1 on create, one more each time
 * the pod template changes; whatever a client writes there is overwritten.
 */
export function withTemplateGeneration(def: ResourceDef, obj: Obj, old: Obj | undefined): Obj {
  if (def.storage !== 'apps/daemonsets') return obj;
  const before = old ? Number(objAt(metaOf(old), 'annotations')[TEMPLATE_GENERATION] ?? 1) : 0;
  const changed = !old || !jsonEqual(objAt(objAt(old, 'spec'), 'template'), objAt(objAt(obj, 'spec'), 'template'));
  const annotations = { ...objAt(metaOf(obj), 'annotations'), [TEMPLATE_GENERATION]: String(changed ? before + 1 : before) };
  return { ...obj, metadata: { ...metaOf(obj), annotations } };
}
