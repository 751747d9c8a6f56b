/**
 * Kubernetes `Status` bodies, shaped exactly as a v1.28 kube-apiserver writes them, and the typed error
 * that carries one from deep in a handler to the HTTP edge.
 */
import { KubeStatusError } from '../../shared/errors.js';
import type { Obj } from './json.js';

export { KubeStatusError };

export interface StatusCause {
  reason: string;
  message: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
}

/** What names a resource in messages and details: `nodes`, or `leases.coordination.k8s.io`. */
export interface ResourceName {
  group: string;
  plural: string;
}

export const qualified = (r: ResourceName): string => (r.group === '' ? r.plural : `${r.plural}.${r.group}`);

function details(r: ResourceName, name: string | undefined): StatusDetails {
  const d: StatusDetails = {};
  if (name !== undefined) d.name = name;
  if (r.group !== '') d.group = r.group;
  d.kind = r.plural;
  return d;
}

export function failure(code: number, message: string, reason?: string, det?: StatusDetails): Obj {
  const body: Obj = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message };
  if (reason !== undefined) body['reason'] = reason;
  if (det !== undefined) body['details'] = det;
  body['code'] = code;
  return body;
}

const fail = (code: number, message: string, reason?: string, det?: StatusDetails): KubeStatusError =>
  new KubeStatusError(code, failure(code, message, reason, det));

export const notFound = (r: ResourceName, name: string): KubeStatusError =>
  fail(404, `${qualified(r)} "${name}" not found`, 'NotFound', details(r, name));

export const alreadyExists = (r: ResourceName, name: string): KubeStatusError =>
  fail(409, `${qualified(r)} "${name}" already exists`, 'AlreadyExists', details(r, name));

export const conflict = (
  r: ResourceName,
  name: string,
  why = 'the object has been modified; please apply your changes to the latest version and try again',
): KubeStatusError => fail(409, `Operation cannot be fulfilled on ${qualified(r)} "${name}": ${why}`, 'Conflict', details(r, name));

export const badRequest = (message: string): KubeStatusError => fail(400, message, 'BadRequest');

export const methodNotAllowed = (): KubeStatusError =>
  fail(405, 'the server does not allow this method on the requested resource', 'MethodNotAllowed', {});

export const unsupportedMediaType = (): KubeStatusError =>
  fail(415, '415: Unsupported Media Type', 'UnsupportedMediaType', {});

export const unauthorized = (): KubeStatusError => fail(401, 'Unauthorized', 'Unauthorized');

export const notAcceptable = (): KubeStatusError => fail(406, 'only application/json is served', 'NotAcceptable', {});

export const pathNotFound = (): KubeStatusError => fail(404, 'the server could not find the requested resource', 'NotFound', {});

export const internalError = (message: string): KubeStatusError => fail(500, message);

export const tooManyRequests = (message: string, causes: StatusCause[]): KubeStatusError =>
  fail(429, message, 'TooManyRequests', { causes });

export const forbidden = (message: string, det: StatusDetails): KubeStatusError => fail(403, message, 'Forbidden', det);

/** 422 Invalid with per-field causes; `kind` is the object's Kind (as the real server words it). */
export function invalid(kind: string, name: string, causes: StatusCause[], group?: string): KubeStatusError {
  const parts = causes.map((c) => (c.field ? `${c.field}: ${c.message}` : c.message));
  const joined = parts.length === 1 ? (parts[0] ?? '') : `[${parts.join(', ')}]`;
  const prefix = group ? `${kind}.${group}` : kind;
  const det: StatusDetails = { name };
  if (group) det.group = group;
  det.kind = kind;
  det.causes = causes;
  return fail(422, `${prefix} "${name}" is invalid: ${joined}`, 'Invalid', det);
}

/** The bare success Status of a delete that does not return the object. */
export function deletedStatus(r: ResourceName, name: string, uid: string): Obj {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Success',
    details: { ...details(r, name), uid },
  };
}
