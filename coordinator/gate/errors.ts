/**
 * The gate's one error handler: typed errors carry their HTTP status; body-parser's own failures
 * (too large, malformed JSON) become ApiError bodies too; anything else is a 500 that leaks nothing.
 */
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { ApiError } from '../../shared/api.js';
import { isCniMigrateError } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';

interface BodyParserFailure {
  status: number;
  /** body-parser's own failures name their kind; a decompression (zlib) failure carries `code` instead. */
  type?: unknown;
  code?: unknown;
  message?: unknown;
}

const isBodyParserFailure = (e: unknown): e is BodyParserFailure =>
  typeof e === 'object' && e !== null && 'status' in e && typeof e.status === 'number' && ('type' in e || 'code' in e);

function unreadableBody(e: BodyParserFailure): string {
  if (typeof e.type === 'string') return `unreadable body (${e.type})`;
  const why = typeof e.message === 'string' ? `: ${e.message}` : '';
  return `body could not be decoded per its Content-Encoding${why}`;
}

/** Status and body for any thrown value. */
export function apiErrorFor(e: unknown): { status: number; body: ApiError } {
  if (isCniMigrateError(e)) {
    const body: ApiError = { error: e.code, message: e.message };
    if (e.issues.length > 0) body.issues = e.issues;
    return { status: e.httpStatus, body };
  }
  if (isBodyParserFailure(e) && e.type === 'entity.too.large') {
    return { status: 413, body: { error: 'PayloadTooLarge', message: 'request body is too large' } };
  }
  if (isBodyParserFailure(e) && e.status >= 400 && e.status < 500) {
    return { status: 400, body: { error: 'BadRequest', message: unreadableBody(e) } };
  }
  return { status: 500, body: { error: 'Internal', message: 'internal error' } };
}

export function gateErrorHandler(log: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    const { status, body } = apiErrorFor(err);
    if (status === 503) log.info({ path: req.path, status, why: body.message }, 'agent API request deferred');
    else if (status >= 500) log.error({ err, path: req.path }, 'agent API request failed');
    else log.info({ path: req.path, status, why: body.message }, 'agent API request rejected');
    if (!res.headersSent) res.status(status).json(body);
  };
}

export const notFound: RequestHandler = (req, res) => {
  const body: ApiError = { error: 'NotFound', message: `no route ${req.method} ${req.path}` };
  res.status(404).json(body);
};

export const methodNotAllowed =
  (allowed: string): RequestHandler =>
  (req, res) => {
    const body: ApiError = { error: 'MethodNotAllowed', message: `${req.method} not allowed here; use ${allowed}` };
    res.status(405).set('Allow', allowed).json(body);
  };
