/**
 * Checks a value against the subset of a CRD's structural OpenAPI v3 schema our CRD uses (type, properties,
 * required, enum, minimum/maximum, minLength/maxLength, maxItems, items). A field the schema does not declare is
 * reported too: the API server would silently prune it, which hides typos in a sample.
 */
import { z } from 'zod';

export interface OpenApiSchema {
  type?: string;
  properties?: Record<string, OpenApiSchema>;
  required?: string[];
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  maxItems?: number;
  items?: OpenApiSchema;
  default?: unknown;
  description?: string;
}

export const OpenApiSchemaSchema: z.ZodType<OpenApiSchema> = z.lazy(() =>
  z.looseObject({
    type: z.string().optional(),
    properties: z.record(z.string(), OpenApiSchemaSchema).optional(),
    required: z.array(z.string()).optional(),
    enum: z.array(z.unknown()).optional(),
    minimum: z.number().optional(),
    maximum: z.number().optional(),
    minLength: z.number().optional(),
    maxLength: z.number().optional(),
    maxItems: z.number().optional(),
    items: OpenApiSchemaSchema.optional(),
    default: z.unknown().optional(),
    description: z.string().optional(),
  }),
);

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function typeProblem(s: OpenApiSchema, v: unknown): string | undefined {
  const ok: Record<string, (x: unknown) => boolean> = {
    object: isRecord,
    array: Array.isArray,
    string: (x) => typeof x === 'string',
    boolean: (x) => typeof x === 'boolean',
    integer: (x) => Number.isInteger(x),
    number: (x) => typeof x === 'number',
  };
  const check = s.type === undefined ? undefined : ok[s.type];
  return check && !check(v) ? `must be ${s.type}` : undefined;
}

type Bound = [keyof OpenApiSchema, (s: OpenApiSchema, v: unknown) => boolean, (s: OpenApiSchema) => string];
const num = (v: unknown): v is number => typeof v === 'number';
const str = (v: unknown): v is string => typeof v === 'string';
const BOUNDS: Bound[] = [
  ['enum', (s, v) => s.enum !== undefined && !s.enum.includes(v), (s) => `must be one of ${JSON.stringify(s.enum)}`],
  ['minimum', (s, v) => num(v) && v < (s.minimum ?? v), (s) => `must be >= ${s.minimum}`],
  ['maximum', (s, v) => num(v) && v > (s.maximum ?? v), (s) => `must be <= ${s.maximum}`],
  ['minLength', (s, v) => str(v) && v.length < (s.minLength ?? 0), () => 'too short'],
  ['maxLength', (s, v) => str(v) && v.length > (s.maxLength ?? Infinity), () => 'too long'],
  ['maxItems', (s, v) => Array.isArray(v) && v.length > (s.maxItems ?? Infinity), () => 'too many items'],
];

function boundsProblems(s: OpenApiSchema, v: unknown): string[] {
  return BOUNDS.filter(([, broken]) => broken(s, v)).map(([, , why]) => why(s));
}

function objectProblems(s: OpenApiSchema, v: Record<string, unknown>, path: string): string[] {
  const props = s.properties ?? {};
  const out = (s.required ?? []).filter((k) => !(k in v)).map((k) => `${path}.${k}: required`);
  for (const [k, child] of Object.entries(v)) {
    const childSchema = props[k];
    if (childSchema) out.push(...schemaProblems(childSchema, child, `${path}.${k}`));
    else if (s.properties) out.push(`${path}.${k}: unknown field`);
  }
  return out;
}

/** Every way `value` breaks `schema`, as `path: problem` lines (empty when it conforms). */
export function schemaProblems(schema: OpenApiSchema, value: unknown, path = '$'): string[] {
  const typeIssue = typeProblem(schema, value);
  if (typeIssue) return [`${path}: ${typeIssue}`];
  const out = boundsProblems(schema, value).map((p) => `${path}: ${p}`);
  if (isRecord(value)) out.push(...objectProblems(schema, value, path));
  if (Array.isArray(value) && schema.items) {
    const items = schema.items;
    value.forEach((item, i) => out.push(...schemaProblems(items, item, `${path}[${i}]`)));
  }
  return out;
}
