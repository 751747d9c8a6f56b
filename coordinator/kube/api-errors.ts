/**
 * Reading client-node's ApiException: the HTTP code and the Kubernetes Status message, and turning a
 * failure into the project's typed errors.
 */
import { ApiException } from '@kubernetes/client-node';
import { z } from 'zod';
import { CniMigrateError, describeError } from '../../shared/errors.js';
import { httpStatusOf } from '../../shared/http-status.js';

export { httpStatusOf };

const StatusBodySchema = z.object({ message: z.string().optional(), reason: z.string().optional() });


/** The Status message of a failed call (the body is a string or a parsed object depending on the path). */
export function statusMessageOf(e: unknown): string {
  if (!(e instanceof ApiException)) return describeError(e);
  const body: unknown = e.body;
  let parsed: unknown = body;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body) as unknown;
    } catch {
      return body || e.message;
    }
  }
  const r = StatusBodySchema.safeParse(parsed);
  return (r.success ? r.data.message : undefined) ?? e.message;
}

export const isNotFound = (e: unknown): boolean => httpStatusOf(e) === 404;
export const isConflict = (e: unknown): boolean => httpStatusOf(e) === 409;

/** A typed error for a failed Kubernetes call: Conflict for 409, NotFound for 404, KubeApi otherwise. */
export function kubeError(what: string, e: unknown): CniMigrateError {
  const code = httpStatusOf(e);
  const kind = code === 409 ? 'Conflict' : code === 404 ? 'NotFound' : 'KubeApi';
  return new CniMigrateError(kind, `${what}: ${statusMessageOf(e)}`, { cause: e });
}

/** Runs a Kubernetes call, rethrowing any failure as a typed error. */
export async function kubeCall<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (e) {
    throw kubeError(what, e);
  }
}
