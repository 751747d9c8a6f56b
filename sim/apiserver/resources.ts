/**
 * What the server serves: one `ResourceDef` per group/version/plural, the built-in ones here and the
 * custom ones registered from CRDs at run time.
 */
import type { Obj } from './json.js';

export const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

export interface CustomSchema {
  /** `openAPIV3Schema` of the served version. */
  schema: Obj | undefined;
  crdName: string;
  /** `additionalPrinterColumns` of the served version (the Table form's columns). */
  printerColumns: Obj[];
}

/** Conversion between a served version and the stored form (events.k8s.io Events stored as core Events). */
export interface Codec {
  toStorage(obj: Obj): Obj;
  fromStorage(obj: Obj): Obj;
}

export interface ResourceDef {
  group: string;
  version: string;
  plural: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  /** Table the objects live in. Two defs may share one (core and events.k8s.io Events). */
  storage: string;
  verbs: string[];
  subresources: string[];
  shortNames?: string[];
  categories?: string[];
  /** `status` is a subresource: the main resource ignores status changes. */
  hasStatus: boolean;
  /** `metadata.generation` is kept and bumped on spec changes. */
  hasGeneration: boolean;
  /** DELETE answers with the object instead of a Status. */
  returnsDeletedObject: boolean;
  custom?: CustomSchema;
  codec?: Codec;
}

export const apiVersionOf = (d: { group: string; version: string }): string =>
  d.group === '' ? d.version : `${d.group}/${d.version}`;

export const defKey = (group: string, version: string, plural: string): string => `${group}/${version}/${plural}`;

interface Spec {
  g: string;
  v: string;
  p: string;
  k: string;
  ns: boolean;
  sub?: string[];
  short?: string[];
  cat?: boolean;
  storage?: string;
  verbs?: string[];
  gen?: boolean;
  retObj?: boolean;
}

const SPECS: Spec[] = [
  { g: '', v: 'v1', p: 'nodes', k: 'Node', ns: false, sub: ['status'], short: ['no'], retObj: false },
  { g: '', v: 'v1', p: 'pods', k: 'Pod', ns: true, sub: ['status', 'eviction', 'binding'], short: ['po'], cat: true, retObj: true },
  { g: '', v: 'v1', p: 'namespaces', k: 'Namespace', ns: false, sub: ['status'], short: ['ns'], retObj: true, verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'] },
  { g: '', v: 'v1', p: 'serviceaccounts', k: 'ServiceAccount', ns: true, sub: ['token'], short: ['sa'] },
  { g: '', v: 'v1', p: 'configmaps', k: 'ConfigMap', ns: true, short: ['cm'] },
  { g: '', v: 'v1', p: 'secrets', k: 'Secret', ns: true },
  { g: '', v: 'v1', p: 'services', k: 'Service', ns: true, sub: ['status'], short: ['svc'], cat: true, retObj: true, verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'] },
  { g: '', v: 'v1', p: 'endpoints', k: 'Endpoints', ns: true, short: ['ep'] },
  { g: '', v: 'v1', p: 'events', k: 'Event', ns: true, short: ['ev'], storage: 'events' },
  { g: 'apps', v: 'v1', p: 'daemonsets', k: 'DaemonSet', ns: true, sub: ['status'], short: ['ds'], cat: true, gen: true },
  { g: 'apps', v: 'v1', p: 'deployments', k: 'Deployment', ns: true, sub: ['status'], short: ['deploy'], cat: true, gen: true },
  { g: 'apps', v: 'v1', p: 'replicasets', k: 'ReplicaSet', ns: true, sub: ['status'], short: ['rs'], cat: true, gen: true },
  { g: 'policy', v: 'v1', p: 'poddisruptionbudgets', k: 'PodDisruptionBudget', ns: true, sub: ['status'], short: ['pdb'], gen: true },
  { g: 'coordination.k8s.io', v: 'v1', p: 'leases', k: 'Lease', ns: true },
  { g: 'events.k8s.io', v: 'v1', p: 'events', k: 'Event', ns: true, short: ['ev'], storage: 'events' },
  { g: 'discovery.k8s.io', v: 'v1', p: 'endpointslices', k: 'EndpointSlice', ns: true },
  { g: 'apiextensions.k8s.io', v: 'v1', p: 'customresourcedefinitions', k: 'CustomResourceDefinition', ns: false, sub: ['status'], short: ['crd', 'crds'], gen: true, retObj: true },
  { g: 'apiregistration.k8s.io', v: 'v1', p: 'apiservices', k: 'APIService', ns: false, sub: ['status'] },
  { g: 'authentication.k8s.io', v: 'v1', p: 'tokenreviews', k: 'TokenReview', ns: false, verbs: ['create'] },
  { g: 'rbac.authorization.k8s.io', v: 'v1', p: 'roles', k: 'Role', ns: true },
  { g: 'rbac.authorization.k8s.io', v: 'v1', p: 'clusterroles', k: 'ClusterRole', ns: false },
  { g: 'rbac.authorization.k8s.io', v: 'v1', p: 'rolebindings', k: 'RoleBinding', ns: true },
  { g: 'rbac.authorization.k8s.io', v: 'v1', p: 'clusterrolebindings', k: 'ClusterRoleBinding', ns: false },
];

function fromSpec(s: Spec): ResourceDef {
  const sub = s.sub ?? [];
  const def: ResourceDef = {
    group: s.g,
    version: s.v,
    plural: s.p,
    singular: s.k.toLowerCase(),
    kind: s.k,
    namespaced: s.ns,
    storage: s.storage ?? `${s.g}/${s.p}`,
    verbs: s.verbs ?? ALL_VERBS,
    subresources: sub,
    hasStatus: sub.includes('status'),
    hasGeneration: s.gen ?? false,
    returnsDeletedObject: s.retObj ?? false,
  };
  if (s.short) def.shortNames = s.short;
  if (s.cat) def.categories = ['all'];
  return def;
}

/** The built-in resources, in discovery order. */
export const builtinResources = (): ResourceDef[] => SPECS.map(fromSpec);

/** Lookup by URL coordinates and by storage table; custom resources come and go with their CRDs. */
export class ResourceRegistry {
  private readonly defs = new Map<string, ResourceDef>();

  constructor(defs: ResourceDef[] = builtinResources()) {
    for (const d of defs) this.add(d);
  }

  add(def: ResourceDef): void {
    this.defs.set(defKey(def.group, def.version, def.plural), def);
  }

  remove(def: ResourceDef): void {
    this.defs.delete(defKey(def.group, def.version, def.plural));
  }

  find(group: string, version: string, plural: string): ResourceDef | undefined {
    return this.defs.get(defKey(group, version, plural));
  }

  /** The def whose storage holds core-group-or-not objects of this group/plural (any version). */
  byGroupResource(group: string, plural: string): ResourceDef | undefined {
    for (const d of this.defs.values()) if (d.group === group && d.plural === plural) return d;
    return undefined;
  }

  all(): ResourceDef[] {
    return [...this.defs.values()];
  }

  /** `{group -> versions}` in registration order. */
  groups(): Map<string, string[]> {
    const out = new Map<string, string[]>();
    for (const d of this.defs.values()) {
      const versions = out.get(d.group) ?? [];
      if (!versions.includes(d.version)) versions.push(d.version);
      out.set(d.group, versions);
    }
    return out;
  }

  inGroupVersion(group: string, version: string): ResourceDef[] {
    return this.all().filter((d) => d.group === group && d.version === version);
  }
}
