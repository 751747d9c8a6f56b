/**
 * OpenAPI v2 (`/openapi/v2`), as JSON or in the protobuf form kubectl up to 1.29 asks for
 * (`application/com.github.proto-openapi.spec.v2@v1.0+protobuf`, the gnostic `openapi_v2.Document`).
 * It lists every served resource path with its operations, each tagged with
 * `x-kubernetes-group-version-kind`, and the `fieldValidation` parameter on writes: kubectl reads this to
 * learn that the server validates fields itself. It carries no type definitions (this server does not
 * publish the full built-in types; kubectl then falls back to its compiled-in ones).
 */
import type { Reply } from './handlers.js';
import type { ResourceDef, ResourceRegistry } from './resources.js';

export const OPENAPI_V2_PROTOBUF = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';

interface Operation {
  id: string;
  params: string[];
  gvk: ResourceDef;
}

type PathItem = Partial<Record<'get' | 'put' | 'post' | 'delete' | 'patch', Operation>>;

const WRITE = ['dryRun', 'fieldManager', 'fieldValidation'];

function pathsOf(d: ResourceDef): [string, PathItem][] {
  const gv = d.group === '' ? `/api/${d.version}` : `/apis/${d.group}/${d.version}`;
  const base = `${gv}${d.namespaced ? '/namespaces/{namespace}' : ''}/${d.plural}`;
  const op = (action: string, params: string[]): Operation => ({ id: `${action}${d.kind}`, params, gvk: d });
  const out: [string, PathItem][] = [
    [base, { get: op('list', []), post: op('create', WRITE) }],
    [`${base}/{name}`, { get: op('read', []), put: op('replace', WRITE), patch: op('patch', [...WRITE, 'force']), delete: op('delete', ['dryRun']) }],
  ];
  if (d.subresources.includes('status')) out.push([`${base}/{name}/status`, { get: op('readStatus', []), put: op('replaceStatus', WRITE), patch: op('patchStatus', WRITE) }]);
  return out;
}

const allPaths = (registry: ResourceRegistry): [string, PathItem][] => registry.all().flatMap(pathsOf);

const gvkYaml = (d: ResourceDef): string => `group: "${d.group}"\nkind: ${d.kind}\nversion: ${d.version}\n`;

function jsonOperation(o: Operation): Record<string, unknown> {
  return {
    operationId: o.id,
    parameters: o.params.map((name) => ({ name, in: 'query', type: 'string', uniqueItems: true })),
    responses: { '200': { description: 'OK' } },
    'x-kubernetes-group-version-kind': { group: o.gvk.group, kind: o.gvk.kind, version: o.gvk.version },
  };
}

function jsonDocument(registry: ResourceRegistry): Record<string, unknown> {
  const paths = Object.fromEntries(allPaths(registry).map(([p, item]) => [p, Object.fromEntries(Object.entries(item).map(([verb, o]) => [verb, jsonOperation(o)]))]));
  return { swagger: '2.0', info: { title: 'Kubernetes', version: 'v1.28.7' }, paths, definitions: {} };
}

// --- a minimal protobuf writer (varints and length-delimited fields are all this document needs) ---

function varint(n: number): number[] {
  const out: number[] = [];
  let v = n;
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
}

const bytesField = (field: number, payload: Buffer): Buffer => Buffer.concat([Buffer.from([...varint((field << 3) | 2), ...varint(payload.length)]), payload]);
const str = (field: number, s: string): Buffer => bytesField(field, Buffer.from(s, 'utf8'));
const msg = (field: number, ...parts: Buffer[]): Buffer => bytesField(field, Buffer.concat(parts));

/** QueryParameterSubSchema{in=2, name=4, type=6} in NonBodyParameter(3) in Parameter(2) in ParametersItem(1). */
const queryParam = (name: string): Buffer => msg(8, msg(1, msg(2, msg(3, str(2, 'query'), str(4, name), str(6, 'string')))));

/** Operation{operation_id=5, parameters=8, responses=9, vendor_extension=13 (NamedAny{name=1, value=Any{yaml=2}})}. */
function protoOperation(field: number, o: Operation): Buffer {
  const gvk = msg(13, str(1, 'x-kubernetes-group-version-kind'), msg(2, str(2, gvkYaml(o.gvk))));
  return msg(field, str(5, o.id), ...o.params.map(queryParam), msg(9), gvk);
}

const VERB_FIELD: Record<string, number> = { get: 2, put: 3, post: 4, delete: 5, patch: 8 };

function protoDocument(registry: ResourceRegistry): Buffer {
  const paths = allPaths(registry).map(([p, item]) => msg(2, str(1, p), msg(2, ...Object.entries(item).map(([verb, o]) => protoOperation(VERB_FIELD[verb] ?? 2, o)))));
  return Buffer.concat([str(1, '2.0'), msg(2, str(1, 'Kubernetes'), str(2, 'v1.28.7')), msg(8, ...paths)]);
}

/** `/openapi/v2` in the form the Accept header asks for. */
export function serveOpenApiV2(registry: ResourceRegistry, accept: string): Reply {
  if (accept.includes(OPENAPI_V2_PROTOBUF)) return { status: 200, body: {}, raw: protoDocument(registry), contentType: 'application/octet-stream' };
  return { status: 200, body: jsonDocument(registry) };
}
