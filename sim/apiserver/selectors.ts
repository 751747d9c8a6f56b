/**
 * Label and field selectors: parsing (pure, 400 on bad input) and matching.
 */
import { z } from 'zod';
import { badRequest } from './status.js';
import { labelsOf, valueAtPath, type Obj } from './json.js';

export type LabelOp = 'exists' | 'notexists' | 'eq' | 'neq' | 'in' | 'notin';

export interface LabelRequirement {
  key: string;
  op: LabelOp;
  values: string[];
}

export interface FieldRequirement {
  field: string;
  negate: boolean;
  value: string;
}

/** Split on commas that are not inside `( … )`. */
function splitTopLevel(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out.map((x) => x.trim()).filter((x) => x !== '');
}

const SET_RE = /^([^\s!=]+)\s+(in|notin)\s+\(([^)]*)\)$/;
const CMP_RE = /^([^\s!=]+)\s*(==|=|!=)\s*([^\s,]*)$/;
const KEY_RE = /^(!?)\s*([A-Za-z0-9][-A-Za-z0-9_./]*)$/;

function parseSetTerm(set: RegExpExecArray): LabelRequirement {
  const raw = (set[3] ?? '').trim();
  if (raw === '') throw badRequest("unable to parse requirement: for 'in', 'notin' operators, values set can't be empty");
  const values = raw.split(',').map((v) => v.trim());
  return { key: set[1] ?? '', op: set[2] === 'in' ? 'in' : 'notin', values };
}

function parseLabelTerm(term: string): LabelRequirement {
  const set = SET_RE.exec(term);
  if (set) return parseSetTerm(set);
  const cmp = CMP_RE.exec(term);
  if (cmp) return { key: cmp[1] ?? '', op: cmp[2] === '!=' ? 'neq' : 'eq', values: [cmp[3] ?? ''] };
  const key = KEY_RE.exec(term);
  if (key) return { key: key[2] ?? '', op: key[1] === '!' ? 'notexists' : 'exists', values: [] };
  throw badRequest(`unable to parse requirement: found '${term}', expected: valid label selector`);
}

export function parseLabelSelector(s: string | null | undefined): LabelRequirement[] {
  if (!s) return [];
  return splitTopLevel(s).map(parseLabelTerm);
}

function matchesRequirement(labels: Record<string, string>, r: LabelRequirement): boolean {
  const v = Object.prototype.hasOwnProperty.call(labels, r.key) ? labels[r.key] : undefined;
  if (r.op === 'exists' || r.op === 'notexists') return (v !== undefined) === (r.op === 'exists');
  const listed = v !== undefined && r.values.includes(v);
  return r.op === 'eq' || r.op === 'in' ? listed : !listed;
}

export function matchesLabels(labels: Record<string, string>, reqs: readonly LabelRequirement[]): boolean {
  return reqs.every((r) => matchesRequirement(labels, r));
}

const OPERATORS = { In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: 'notexists' } as const;

const labelSelectorSchema = z.object({
  matchLabels: z.record(z.string(), z.string()).nullish(),
  matchExpressions: z.array(z.object({ key: z.string(), operator: z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist']), values: z.array(z.string()).nullish() })).nullish(),
});

/** A `metav1.LabelSelector` object (matchLabels + matchExpressions) as requirements; undefined if absent or malformed. */
export function requirementsOfSelector(sel: unknown): LabelRequirement[] | undefined {
  const parsed = labelSelectorSchema.safeParse(sel);
  if (!parsed.success) return undefined;
  const s = parsed.data;
  const reqs: LabelRequirement[] = Object.entries(s.matchLabels ?? {}).map(([key, v]) => ({ key, op: 'eq', values: [v] }));
  for (const e of s.matchExpressions ?? []) reqs.push({ key: e.key, op: OPERATORS[e.operator], values: e.values ?? [] });
  return reqs;
}

/** Field labels by storage table, as the real server's field label conversions accept them. */
const FIELDS: Record<string, string[]> = {
  '/pods': [
    'metadata.namespace', 'spec.nodeName', 'status.phase', 'spec.hostNetwork', 'spec.schedulerName', 'spec.serviceAccountName',
    'status.podIP', 'spec.restartPolicy', 'status.nominatedNodeName',
  ],
  '/nodes': ['spec.unschedulable'],
  '/namespaces': ['status.phase'],
  '/secrets': ['metadata.namespace', 'type'],
  '/services': ['metadata.namespace', 'spec.clusterIP', 'spec.type'],
  events: [
    'metadata.namespace', 'involvedObject.kind', 'involvedObject.namespace', 'involvedObject.name', 'involvedObject.uid',
    'involvedObject.apiVersion', 'involvedObject.resourceVersion', 'involvedObject.fieldPath', 'reason',
    'reportingComponent', 'source', 'type',
  ],
};
/** Kinds without their own conversion accept the object meta labels only. */
const META_FIELDS = ['metadata.name', 'metadata.namespace'];

/** Fields whose absent value reads as `false` rather than the empty string. */
const BOOLEAN_FIELDS = new Set(['spec.hostNetwork', 'spec.unschedulable']);

function parseFieldTerm(term: string, allowed: readonly string[]): FieldRequirement {
  const m = /^([^!=]+)(==|=|!=)(.*)$/.exec(term);
  if (!m) throw badRequest(`invalid selector: '${term}'; can't understand '${term}'`);
  const field = (m[1] ?? '').trim();
  if (!allowed.includes(field)) throw badRequest(`field label not supported: ${field}`);
  return { field, negate: m[2] === '!=', value: (m[3] ?? '').trim() };
}

export function parseFieldSelector(s: string | null | undefined, storage: string): FieldRequirement[] {
  if (!s) return [];
  const own = FIELDS[storage];
  const allowed = own ? ['metadata.name', ...own] : META_FIELDS;
  return splitTopLevel(s).map((t) => parseFieldTerm(t, allowed));
}

/** Field labels that are not a JSON path: an Event's `source` is `source.component`, else `reportingComponent`. */
const DERIVED: Record<string, (o: Obj) => unknown> = {
  source: (o) => valueAtPath(o, ['source', 'component']) || valueAtPath(o, ['reportingComponent']),
};

export function fieldValue(o: Obj, field: string): string {
  const derive = DERIVED[field];
  const v = derive ? derive(o) : valueAtPath(o, field.split('.'));
  if (v === undefined || v === null) return BOOLEAN_FIELDS.has(field) ? 'false' : '';
  return typeof v === 'string' ? v : JSON.stringify(v);
}

export function matchesFields(o: Obj, reqs: readonly FieldRequirement[]): boolean {
  return reqs.every((r) => (fieldValue(o, r.field) === r.value) !== r.negate);
}

/** The value an equality requirement pins `field` to, if any (used to pick an index). */
export function pinnedField(reqs: readonly FieldRequirement[], field: string): string | undefined {
  return reqs.find((r) => r.field === field && !r.negate)?.value;
}

export interface Selection {
  labels: LabelRequirement[];
  fields: FieldRequirement[];
}

export const matchesSelection = (o: Obj, sel: Selection): boolean =>
  matchesLabels(labelsOf(o), sel.labels) && matchesFields(o, sel.fields);
