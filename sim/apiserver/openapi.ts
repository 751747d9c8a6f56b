/**
 * OpenAPI v3: the `/openapi/v3` index and one document per group/version, generated from what is served.
 * Each resource path carries its operations with `x-kubernetes-group-version-kind` and, on writes, the
 * `fieldValidation` parameter: this is what kubectl reads to learn that the server validates fields
 * itself (it then sends `fieldValidation=Strict` and skips its own schema check). Custom resources carry
 * their CRD's `openAPIV3Schema` as a component schema. Built-in kinds carry no component schema (this
 * server does not publish their full types; kubectl then computes patches from its compiled-in types).
 */
import { createHash } from 'node:crypto';
import type { Reply } from './handlers.js';
import { serveOpenApiV2 } from './openapi-v2.js';
import type { Obj } from './json.js';
import type { NonResourceRequest } from './request-info.js';
import type { ResourceDef, ResourceRegistry } from './resources.js';

const gvPath = (group: string, version: string): string => (group === '' ? `api/${version}` : `apis/${group}/${version}`);

function groupVersions(registry: ResourceRegistry): Map<string, ResourceDef[]> {
  const out = new Map<string, ResourceDef[]>();
  for (const d of registry.all()) {
    const key = gvPath(d.group, d.version);
    out.set(key, [...(out.get(key) ?? []), d]);
  }
  return out;
}

const schemaName = (d: ResourceDef): string => `${d.group === '' ? 'io.k8s.api.core' : [...d.group.split('.')].reverse().join('.')}.${d.version}.${d.kind}`;

const QUERY = (name: string): Obj => ({ name, in: 'query', schema: { type: 'string', uniqueItems: true } });
const WRITE_PARAMS = [QUERY('dryRun'), QUERY('fieldManager'), QUERY('fieldValidation')];

function operation(d: ResourceDef, action: string, params: Obj[]): Obj {
  const op: Obj = {
    operationId: `${action}${d.kind}`,
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': { group: d.group, version: d.version, kind: d.kind },
    responses: { '200': { description: 'OK' } },
  };
  if (params.length > 0) op['parameters'] = params;
  if (d.custom) {
    const ref = { $ref: `#/components/schemas/${schemaName(d)}` };
    op['responses'] = { '200': { description: 'OK', content: { 'application/json': { schema: ref } } } };
  }
  return op;
}

function pathsOf(d: ResourceDef): Record<string, Obj> {
  const base = `/${gvPath(d.group, d.version)}${d.namespaced ? '/namespaces/{namespace}' : ''}/${d.plural}`;
  const paths: Record<string, Obj> = {
    [base]: { get: operation(d, 'list', []), post: operation(d, 'post', WRITE_PARAMS), delete: operation(d, 'deletecollection', []) },
    [`${base}/{name}`]: {
      get: operation(d, 'get', []),
      put: operation(d, 'put', WRITE_PARAMS),
      patch: operation(d, 'patch', [...WRITE_PARAMS, QUERY('force')]),
      delete: operation(d, 'delete', [QUERY('dryRun')]),
    },
  };
  for (const sub of d.subresources.filter((s) => s === 'status')) {
    paths[`${base}/{name}/${sub}`] = { get: operation(d, 'get', []), put: operation(d, 'put', WRITE_PARAMS), patch: operation(d, 'patch', WRITE_PARAMS) };
  }
  return paths;
}

function componentOf(d: ResourceDef): Obj | undefined {
  if (!d.custom) return undefined;
  const schema = d.custom.schema ?? { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
  return { ...schema, 'x-kubernetes-group-version-kind': [{ group: d.group, version: d.version, kind: d.kind }] };
}

function documentOf(defs: ResourceDef[]): Obj {
  const paths: Record<string, Obj> = {};
  const schemas: Record<string, Obj> = {};
  for (const d of defs) {
    Object.assign(paths, pathsOf(d));
    const component = componentOf(d);
    if (component) schemas[schemaName(d)] = component;
  }
  return { openapi: '3.0.0', info: { title: 'Kubernetes', version: 'v1.28.7' }, paths, components: { schemas } };
}

const hashOf = (doc: Obj): string => createHash('sha512').update(JSON.stringify(doc)).digest('hex').slice(0, 128).toUpperCase();

/** `/openapi/v2`, `/openapi/v3` and `/openapi/v3/<group-version>`; undefined for anything else. */
export function serveOpenApi(registry: ResourceRegistry, req: NonResourceRequest, accept: string): Reply | undefined {
  if (req.verb === 'get' && req.path === '/openapi/v2') return serveOpenApiV2(registry, accept);
  if (req.verb !== 'get' || !req.path.startsWith('/openapi/v3')) return undefined;
  const gvs = groupVersions(registry);
  const rest = req.path.replace(/^\/openapi\/v3\/?/, '');
  if (rest === '') {
    const paths = Object.fromEntries([...gvs.entries()].map(([gv, defs]) => [gv, { serverRelativeURL: `/openapi/v3/${gv}?hash=${hashOf(documentOf(defs))}` }]));
    return { status: 200, body: { paths } };
  }
  const defs = gvs.get(rest);
  return defs ? { status: 200, body: documentOf(defs) } : undefined;
}
