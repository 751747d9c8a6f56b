/**
 * Discovery: `/version`, `/api`, `/apis` (legacy and aggregated `apidiscovery.k8s.io` forms), and the
 * per group-version resource lists, built from the served resources (CRD groups included).
 */
import type { Reply } from './handlers.js';
import type { Obj } from './json.js';
import type { NonResourceRequest } from './request-info.js';
import { type ResourceDef, type ResourceRegistry } from './resources.js';

export const SERVER_VERSION = {
  major: '1',
  minor: '28',
  gitVersion: 'v1.28.7',
  gitCommit: '9258ab62ed50ee9f1715cbb078b1e760e823bfcb',
  gitTreeState: 'clean',
  buildDate: '2024-02-14T10:32:40Z',
  goVersion: 'go1.21.13',
  compiler: 'gc',
  platform: 'linux/amd64',
};

interface SubInfo {
  group?: string;
  version?: string;
  kind?: string;
  verbs: string[];
}

const SUBRESOURCES: Record<string, SubInfo> = {
  status: { verbs: ['get', 'patch', 'update'] },
  eviction: { group: 'policy', version: 'v1', kind: 'Eviction', verbs: ['create'] },
  token: { group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest', verbs: ['create'] },
  binding: { kind: 'Binding', verbs: ['create'] },
};

const subInfo = (sub: string): SubInfo => SUBRESOURCES[sub] ?? { verbs: ['get'] };

function legacyEntries(d: ResourceDef): Obj[] {
  const main: Obj = { name: d.plural, singularName: d.singular, namespaced: d.namespaced, kind: d.kind, verbs: d.verbs };
  if (d.shortNames) main['shortNames'] = d.shortNames;
  if (d.categories) main['categories'] = d.categories;
  const subs = d.subresources.map((s): Obj => {
    const info = subInfo(s);
    const e: Obj = { name: `${d.plural}/${s}`, singularName: '', namespaced: d.namespaced };
    if (info.group !== undefined) Object.assign(e, { group: info.group, version: info.version });
    return { ...e, kind: info.kind ?? d.kind, verbs: info.verbs };
  });
  return [main, ...subs];
}

function resourceList(registry: ResourceRegistry, group: string, version: string): Obj | undefined {
  const defs = registry.inGroupVersion(group, version);
  if (defs.length === 0) return undefined;
  const body: Obj = { kind: 'APIResourceList' };
  if (group !== '') body['apiVersion'] = 'v1';
  body['groupVersion'] = group === '' ? version : `${group}/${version}`;
  body['resources'] = defs.flatMap(legacyEntries);
  return body;
}

function groupList(registry: ResourceRegistry): Obj {
  const groups = [...registry.groups().entries()]
    .filter(([g]) => g !== '')
    .map(([name, versions]) => {
      const vs = versions.map((v) => ({ groupVersion: `${name}/${v}`, version: v }));
      return { name, versions: vs, preferredVersion: vs[0] };
    });
  return { kind: 'APIGroupList', apiVersion: 'v1', groups };
}

function aggregatedResource(d: ResourceDef): Obj {
  const r: Obj = {
    resource: d.plural,
    responseKind: { group: '', version: '', kind: d.kind },
    scope: d.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: d.singular,
    verbs: d.verbs,
  };
  if (d.shortNames) r['shortNames'] = d.shortNames;
  if (d.categories) r['categories'] = d.categories;
  if (d.subresources.length > 0) {
    r['subresources'] = d.subresources.map((s) => {
      const info = subInfo(s);
      return { subresource: s, responseKind: { group: info.group ?? '', version: info.version ?? '', kind: info.kind ?? d.kind }, verbs: info.verbs };
    });
  }
  return r;
}

function aggregated(registry: ResourceRegistry, core: boolean, apiVersion: string): Obj {
  const items = [...registry.groups().entries()]
    .filter(([g]) => (g === '') === core)
    .map(([name, versions]) => ({
      metadata: { name, creationTimestamp: null },
      versions: versions.map((v) => ({ version: v, resources: registry.inGroupVersion(name, v).map(aggregatedResource), freshness: 'Current' })),
    }));
  return { kind: 'APIGroupDiscoveryList', apiVersion, metadata: {}, items };
}

/** The aggregated discovery version the client asked for, if any. */
function aggregatedVersion(accept: string): string | undefined {
  if (!accept.includes('as=APIGroupDiscoveryList')) return undefined;
  return accept.includes('v=v2beta1') ? 'v2beta1' : accept.includes('v=v2') ? 'v2' : undefined;
}

function root(registry: ResourceRegistry, address: string, which: string, accept: string): Reply {
  const agg = aggregatedVersion(accept);
  if (agg) {
    const body = aggregated(registry, which === 'api', `apidiscovery.k8s.io/${agg}`);
    return { status: 200, body, contentType: `application/json;g=apidiscovery.k8s.io;v=${agg};as=APIGroupDiscoveryList` };
  }
  if (which === 'apis') return { status: 200, body: groupList(registry) };
  return { status: 200, body: { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: address }] } };
}

function groupOnly(registry: ResourceRegistry, group: string): Obj | undefined {
  const versions = registry.groups().get(group);
  if (!versions) return undefined;
  const vs = versions.map((v) => ({ groupVersion: `${group}/${v}`, version: v }));
  return { kind: 'APIGroup', apiVersion: 'v1', name: group, versions: vs, preferredVersion: vs[0] };
}

function versioned(registry: ResourceRegistry, parts: string[]): Obj | undefined {
  const [top = '', a = '', b] = parts;
  if (top === 'api' && parts.length === 2) return resourceList(registry, '', a);
  if (top === 'apis' && parts.length === 2) return groupOnly(registry, a);
  if (top === 'apis' && parts.length === 3) return resourceList(registry, a, b ?? '');
  return undefined;
}

export function discover(registry: ResourceRegistry, address: string, req: NonResourceRequest, accept: string): Reply | undefined {
  if (req.verb !== 'get') return undefined;
  const parts = req.path.split('/').filter((p) => p !== '');
  if (parts.length === 1 && parts[0] === 'version') return { status: 200, body: SERVER_VERSION };
  if (parts.length === 1 && (parts[0] === 'api' || parts[0] === 'apis')) return root(registry, address, parts[0], accept);
  const body = versioned(registry, parts);
  return body ? { status: 200, body } : undefined;
}
