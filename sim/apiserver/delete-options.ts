/**
 * DeleteOptions decoded as the real DELETE handler decodes them: from the body when the request has one
 * (every query parameter is then ignored), otherwise from the query; then validated as `metav1.DeleteOptions`
 * (422 for an unsupported propagationPolicy or dryRun value, or orphanDependents beside a propagationPolicy).
 */
import { z } from 'zod';
import { isObj, strAt, type Obj } from './json.js';
import type { DeleteOptions } from './lifecycle.js';
import { badRequest, invalid, type StatusCause } from './status.js';

/** What a DELETE request carried: the decoded body (when the body was not empty) and the query. */
export interface DeleteInput {
  query: URLSearchParams;
  /** `undefined` when the request had no body. */
  body: unknown;
}

/** The wire form, before validation; unknown fields are ignored (the DeleteOptions decoder is not strict). */
interface RawOptions {
  gracePeriodSeconds?: number | null | undefined;
  preconditions?: { uid?: string | null | undefined; resourceVersion?: string | null | undefined } | null | undefined;
  propagationPolicy?: string | null | undefined;
  orphanDependents?: boolean | null | undefined;
  dryRun?: string[] | null | undefined;
}

const bodySchema = z
  .object({
    gracePeriodSeconds: z.number().int().nullish(),
    preconditions: z.object({ uid: z.string().nullish(), resourceVersion: z.string().nullish() }).nullish(),
    propagationPolicy: z.string().nullish(),
    orphanDependents: z.boolean().nullish(),
    dryRun: z.array(z.string()).nullish(),
  })
  .passthrough();

const GO_TYPE: Record<string, string> = { number: 'int64', string: 'string', boolean: 'bool', object: 'object' };

function decodeProblem(body: Obj, issue: z.core.$ZodIssue | undefined): string {
  const field = issue?.path.join('.') ?? '';
  const got = typeof body[String(issue?.path[0] ?? '')];
  return `json: cannot unmarshal ${GO_TYPE[got] ?? got} into Go struct field DeleteOptions.${field}`;
}

function fromBody(body: unknown): RawOptions {
  if (!isObj(body)) throw badRequest(`couldn't get version/kind; json parse error: the body is not a JSON object`);
  const kind = strAt(body, 'kind') ?? 'DeleteOptions';
  if (kind !== 'DeleteOptions') {
    const scheme = 'k8s.io/apimachinery/pkg/apis/meta/internalversion/scheme/scheme.go:30';
    throw badRequest(`no kind "${kind}" is registered for version "${strAt(body, 'apiVersion') ?? 'v1'}" in scheme "${scheme}"`);
  }
  const parsed = bodySchema.safeParse(body);
  if (!parsed.success) throw badRequest(decodeProblem(body, parsed.error.issues[0]));
  return parsed.data;
}

function intParam(query: URLSearchParams, key: string): number | undefined {
  const raw = query.get(key);
  if (raw === null) return undefined;
  if (!/^-?\d+$/.test(raw)) throw badRequest(`strconv.ParseInt: parsing ${JSON.stringify(raw)}: invalid syntax`);
  return Number(raw);
}

function boolParam(query: URLSearchParams, key: string): boolean | undefined {
  const raw = query.get(key);
  if (raw === null) return undefined;
  if (!['true', 'false', '1', '0', 't', 'f', 'TRUE', 'FALSE', 'True', 'False'].includes(raw)) {
    throw badRequest(`strconv.ParseBool: parsing ${JSON.stringify(raw)}: invalid syntax`);
  }
  return ['true', '1', 't', 'TRUE', 'True'].includes(raw);
}

function fromQuery(query: URLSearchParams): RawOptions {
  const dryRun = query.getAll('dryRun');
  return {
    gracePeriodSeconds: intParam(query, 'gracePeriodSeconds'),
    propagationPolicy: query.get('propagationPolicy'),
    orphanDependents: boolParam(query, 'orphanDependents'),
    dryRun: dryRun.length > 0 ? dryRun : undefined,
  };
}

const POLICIES = ['Foreground', 'Background', 'Orphan'];

const goStrings = (values: readonly string[]): string => `[]string{${values.map((v) => JSON.stringify(v)).join(', ')}}`;

/** `dryRun` checked as the real validation checks it (shared with create/update/patch options). */
export function dryRunCauses(values: readonly string[]): StatusCause[] {
  if (values.every((v) => v === 'All')) return [];
  return [{ reason: 'FieldValueNotSupported', message: `Unsupported value: ${goStrings(values)}: supported values: "All"`, field: 'dryRun' }];
}

function validate(o: RawOptions): void {
  const causes: StatusCause[] = [];
  const policy = o.propagationPolicy ?? undefined;
  if (o.orphanDependents != null && policy !== undefined) {
    causes.push({ reason: 'FieldValueInvalid', message: `Invalid value: "${policy}": orphanDependents and deletionPropagation cannot be both set`, field: 'propagationPolicy' });
  }
  if (policy !== undefined && !POLICIES.includes(policy)) {
    causes.push({ reason: 'FieldValueNotSupported', message: `Unsupported value: "${policy}": supported values: "Foreground", "Background", "Orphan", "nil"`, field: 'propagationPolicy' });
  }
  causes.push(...dryRunCauses(o.dryRun ?? []));
  if (causes.length > 0) throw invalid('DeleteOptions', '', causes, 'meta.k8s.io');
}

/** The DeleteOptions of one DELETE (or deletecollection) request. */
export function decodeDeleteOptions(input: DeleteInput): DeleteOptions {
  const raw = input.body === undefined ? fromQuery(input.query) : fromBody(input.body);
  validate(raw);
  const opts: DeleteOptions = { dryRun: (raw.dryRun ?? []).includes('All') };
  if (raw.gracePeriodSeconds != null) opts.gracePeriodSeconds = raw.gracePeriodSeconds;
  if (raw.propagationPolicy === 'Orphan' || raw.orphanDependents === true) opts.orphan = true;
  if (raw.preconditions?.uid) opts.preconditionUid = raw.preconditions.uid;
  if (raw.preconditions?.resourceVersion) opts.preconditionRv = raw.preconditions.resourceVersion;
  return opts;
}
