/**
 * Typed errors. Library code throws these; only `main` turns them into an exit code, and the HTTP
 * gate turns them into a status code through `httpStatus`.
 */
export type ErrorCode =
  | 'ConfigInvalid'
  | 'BadRequest'
  | 'Unauthorized'
  | 'Forbidden'
  | 'NotFound'
  | 'Conflict'
  | 'PayloadTooLarge'
  | 'TooManyRequests'
  | 'PreconditionFailed'
  | 'DeadlineExceeded'
  | 'HostCommandFailed'
  | 'KubeApi'
  | 'Unavailable'
  | 'Internal';

const STATUS: Record<ErrorCode, number> = {
  ConfigInvalid: 400,
  BadRequest: 400,
  Unauthorized: 401,
  Forbidden: 403,
  NotFound: 404,
  Conflict: 409,
  PayloadTooLarge: 413,
  TooManyRequests: 429,
  PreconditionFailed: 412,
  DeadlineExceeded: 504,
  HostCommandFailed: 500,
  KubeApi: 502,
  Unavailable: 503,
  Internal: 500,
};

export class CniMigrateError extends Error {
  readonly code: ErrorCode;
  readonly issues: string[];
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; issues?: string[] }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.issues = options?.issues ?? [];
  }
  get httpStatus(): number {
    return STATUS[this.code];
  }
}

/** A flag, env value or config file is invalid. `issues` names each bad key. */
export class ConfigError extends CniMigrateError {
  constructor(message: string, issues: string[] = []) {
    super('ConfigInvalid', message, { issues });
  }
}

/** An HTTP body or query failed validation. */
export class BadRequestError extends CniMigrateError {
  constructor(message: string, issues: string[] = []) {
    super('BadRequest', message, { issues });
  }
}

export class UnauthorizedError extends CniMigrateError {
  constructor(message: string) {
    super('Unauthorized', message);
  }
}

export class ForbiddenError extends CniMigrateError {
  constructor(message: string) {
    super('Forbidden', message);
  }
}

/** A guarded step's precondition no longer holds (for example: the boot id already changed). */
export class PreconditionError extends CniMigrateError {
  constructor(message: string) {
    super('PreconditionFailed', message);
  }
}

/** A wait ran past its deadline. */
export class DeadlineError extends CniMigrateError {
  constructor(what: string, deadlineMs: number) {
    super('DeadlineExceeded', `${what}: deadline of ${Math.round(deadlineMs / 1000)}s passed`);
  }
}

/** A host command exited non-zero or could not start. */
export class HostCommandError extends CniMigrateError {
  readonly argv: readonly string[];
  readonly exitCode: number | undefined;
  readonly stderr: string;
  constructor(argv: readonly string[], exitCode: number | undefined, stderr: string, cause?: unknown) {
    super('HostCommandFailed', `${argv.join(' ')} failed (exit ${exitCode ?? 'none'}): ${stderr.trim().slice(0, 500)}`, {
      cause,
    });
    this.argv = argv;
    this.exitCode = exitCode;
    this.stderr = stderr;
  }
}

export const isCniMigrateError = (e: unknown): e is CniMigrateError => e instanceof CniMigrateError;

/** A one-line description of any thrown value, for logs and halt reasons. */
export function describeError(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}

/**
 * A Kubernetes API `Status` failure (simulated API server): carries the HTTP code and the exact Status body.
 */
export class KubeStatusError extends CniMigrateError {
  readonly statusCode: number;
  readonly body: Record<string, unknown>;
  constructor(statusCode: number, body: Record<string, unknown>) {
    super('KubeApi', typeof body['message'] === 'string' ? body['message'] : `HTTP ${statusCode}`);
    this.statusCode = statusCode;
    this.body = body;
  }
  override get httpStatus(): number {
    return this.statusCode;
  }
}
