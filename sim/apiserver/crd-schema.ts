/**
 * Structural-schema handling of custom resources (pure): type/enum/required validation with the real
 * server's causes, and pruning of fields the schema does not declare (reported for warnings or Strict).
 */
import { isObj, type Obj } from './json.js';
import type { StatusCause } from './status.js';

export interface SchemaOutcome {
  value: Obj;
  causes: StatusCause[];
  unknownFields: string[];
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function typeMatches(type: string, v: unknown): boolean {
  const actual = typeName(v);
  if (type === 'number') return actual === 'number' || actual === 'integer';
  return actual === type;
}

const join = (path: string, key: string): string => (path === '' ? key : `${path}.${key}`);

interface Walk {
  causes: StatusCause[];
  unknown: string[];
}

function checkScalar(schema: Obj, v: unknown, path: string, w: Walk): boolean {
  const type = schema['type'];
  if (schema['x-kubernetes-int-or-string'] === true) {
    if (typeName(v) === 'integer' || typeof v === 'string') return true;
  } else if (typeof type !== 'string' || typeMatches(type, v)) {
    const allowed = schema['enum'];
    if (!Array.isArray(allowed) || allowed.some((a) => a === v)) return true;
    const list = allowed.map((a) => JSON.stringify(a)).join(', ');
    w.causes.push({ reason: 'FieldValueNotSupported', message: `Unsupported value: ${JSON.stringify(v)}: supported values: ${list}`, field: path });
    return false;
  }
  const actual = typeName(v);
  const expected = typeof type === 'string' ? type : 'integer or string';
  w.causes.push({ reason: 'FieldValueTypeInvalid', message: `Invalid value: "${actual}": ${path} in body must be of type ${expected}: "${actual}"`, field: path });
  return false;
}

/** The schema of one property, `true` when undeclared fields are kept, `undefined` when pruned. */
function childSchemaOf(schema: Obj, key: string): Obj | true | undefined {
  const props = isObj(schema['properties']) ? schema['properties'] : undefined;
  const declared = props?.[key];
  if (isObj(declared)) return declared;
  const additional = schema['additionalProperties'];
  if (isObj(additional)) return additional;
  if (additional === true || schema['x-kubernetes-preserve-unknown-fields'] === true) return true;
  return props ? undefined : true;
}

function checkRequired(schema: Obj, v: Obj, path: string, w: Walk): void {
  const required = Array.isArray(schema['required']) ? schema['required'] : [];
  for (const r of required) {
    if (typeof r === 'string' && v[r] === undefined) w.causes.push({ reason: 'FieldValueRequired', message: 'Required value', field: join(path, r) });
  }
}

function walkObject(schema: Obj, v: Obj, path: string, w: Walk): Obj {
  const out: Obj = {};
  for (const [k, child] of Object.entries(v)) {
    const childSchema = childSchemaOf(schema, k);
    if (childSchema === true) out[k] = child;
    else if (childSchema) out[k] = walk(childSchema, child, join(path, k), w);
    else w.unknown.push(join(path, k));
  }
  checkRequired(schema, v, path, w);
  return out;
}

function walk(schema: Obj, v: unknown, path: string, w: Walk): unknown {
  if (v === null && schema['nullable'] === true) return v;
  if (!checkScalar(schema, v, path, w)) return v;
  if (isObj(v)) return walkObject(schema, v, path, w);
  if (Array.isArray(v) && isObj(schema['items'])) {
    const items = schema['items'];
    return v.map((x, i) => walk(items, x, `${path}[${i}]`, w));
  }
  return v;
}

/** Validate and prune a custom resource (metadata, apiVersion and kind are left alone). */
export function applySchema(schema: Obj | undefined, obj: Obj): SchemaOutcome {
  if (!schema) return { value: obj, causes: [], unknownFields: [] };
  const w: Walk = { causes: [], unknown: [] };
  const { metadata, apiVersion, kind, ...rest } = obj;
  const rootProps: Obj = { ...(isObj(schema['properties']) ? schema['properties'] : {}) };
  const envelope = ['metadata', 'apiVersion', 'kind'];
  for (const k of envelope) delete rootProps[k];
  const rootSchema: Obj = { ...schema, properties: rootProps };
  if (Array.isArray(schema['required'])) rootSchema['required'] = schema['required'].filter((r) => !envelope.includes(String(r)));
  const pruned = walkObject(rootSchema, rest, '', w);
  const value: Obj = { ...pruned };
  if (apiVersion !== undefined) value['apiVersion'] = apiVersion;
  if (kind !== undefined) value['kind'] = kind;
  value['metadata'] = metadata;
  return { value, causes: w.causes, unknownFields: w.unknown };
}
