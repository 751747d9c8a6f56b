/** zod at the edge: one BadRequestError naming every issue, and the bearer token of a request. */
import type { Request } from 'express';
import type { z } from 'zod';
import { BadRequestError, UnauthorizedError } from '../../shared/errors.js';

export function parseOrReject<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => `${i.path.length > 0 ? i.path.join('.') : '(root)'}: ${i.message}`);
  throw new BadRequestError(`invalid ${what}`, issues);
}

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/** The bearer token, or 401. */
export function bearerToken(req: Request): string {
  const header = req.get('authorization');
  const match = header === undefined ? null : BEARER.exec(header);
  if (match?.[1] === undefined) throw new UnauthorizedError('missing bearer token');
  return match[1];
}
