/**
 * What a request is about, from its method and path alone (like the apiserver's RequestInfoFactory):
 * a resource request (group, version, namespace, resource, name, subresource, verb) or a non-resource path.
 */
export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';

export interface ResourceRequest {
  kind: 'resource';
  verb: Verb;
  group: string;
  version: string;
  namespace: string | undefined;
  resource: string;
  name: string | undefined;
  subresource: string | undefined;
  query: URLSearchParams;
}

export interface NonResourceRequest {
  kind: 'nonresource';
  path: string;
  verb: string;
  query: URLSearchParams;
}

export type RequestInfo = ResourceRequest | NonResourceRequest;

const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);

function readVerb(hasName: boolean, query: URLSearchParams): Verb {
  const watch = query.get('watch');
  if (watch === 'true' || watch === '1') return 'watch';
  return hasName ? 'get' : 'list';
}

function verbOf(method: string, hasName: boolean, query: URLSearchParams): Verb | undefined {
  switch (method) {
    case 'GET':
    case 'HEAD':
      return readVerb(hasName, query);
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return hasName ? 'delete' : 'deletecollection';
    default:
      return undefined;
  }
}

interface Coordinates {
  group: string;
  version: string;
  rest: string[];
}

function groupVersion(parts: string[]): Coordinates | undefined {
  if (parts[0] === 'api' && parts.length >= 3) return { group: '', version: parts[1] ?? '', rest: parts.slice(2) };
  if (parts[0] === 'apis' && parts.length >= 4) return { group: parts[1] ?? '', version: parts[2] ?? '', rest: parts.slice(3) };
  return undefined;
}

function splitNamespace(rest: string[]): { namespace: string | undefined; rest: string[] } {
  if (rest[0] !== 'namespaces' || rest.length < 2) return { namespace: undefined, rest };
  const namespace = rest[1];
  if (rest.length > 2 && !NAMESPACE_SUBRESOURCES.has(rest[2] ?? '')) return { namespace, rest: rest.slice(2) };
  return { namespace: undefined, rest };
}

export function parseRequest(method: string, rawUrl: string): RequestInfo {
  const url = new URL(rawUrl, 'http://sim.invalid');
  const query = url.searchParams;
  const parts = url.pathname.split('/').filter((p) => p !== '').map(decodeURIComponent);
  const gv = groupVersion(parts);
  const nonResource: NonResourceRequest = { kind: 'nonresource', path: url.pathname, verb: method.toLowerCase(), query };
  if (!gv) return nonResource;
  const { namespace, rest } = splitNamespace(gv.rest);
  const [resource, name, subresource] = rest;
  const verb = verbOf(method, name !== undefined, query);
  if (resource === undefined || verb === undefined || rest.length > 3) return nonResource;
  return { kind: 'resource', verb, group: gv.group, version: gv.version, namespace, resource, name, subresource, query };
}
