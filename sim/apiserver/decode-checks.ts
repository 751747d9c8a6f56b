/**
 * Problems the real server's typed JSON decoder would hit (string maps holding non-strings, Lease
 * MicroTime without exactly six fractional digits), worded as Go's decoder words them.
 */
import { isObj, metaOf, objAt, type Obj } from './json.js';
import type { ResourceDef } from './resources.js';

const GO_TYPE: Record<string, string> = { number: 'number', boolean: 'bool', object: 'object' };

function stringMapProblem(map: unknown, field: string): string | undefined {
  if (map === undefined || map === null) return undefined;
  if (!isObj(map)) return `json: cannot unmarshal ${GO_TYPE[typeof map] ?? 'value'} into Go struct field ObjectMeta.metadata.${field} of type map[string]string`;
  for (const v of Object.values(map)) {
    if (typeof v !== 'string') {
      const t = Array.isArray(v) ? 'array' : (GO_TYPE[typeof v] ?? 'value');
      return `json: cannot unmarshal ${t} into Go struct field ObjectMeta.metadata.${field} of type string`;
    }
  }
  return undefined;
}

/** `2006-01-02T15:04:05.000000Z07:00`: exactly six fractional digits. */
export const MICROTIME_RE = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\.(\d{6})(Z|[+-]\d\d:\d\d)$/;

function microTimeProblem(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') return 'json: cannot unmarshal into MicroTime';
  if (MICROTIME_RE.test(value)) return undefined;
  const tail = /\d\d:\d\d:\d\d(.*)$/.exec(value)?.[1] ?? value;
  return `parsing time "${value}" as "2006-01-02T15:04:05.000000Z07:00": cannot parse "${tail}" as ".000000"`;
}

export function decodeProblem(def: ResourceDef, obj: Obj): string | undefined {
  const meta = metaOf(obj);
  const problem = stringMapProblem(meta['labels'], 'labels') ?? stringMapProblem(meta['annotations'], 'annotations');
  if (problem || def.kind !== 'Lease' || def.group !== 'coordination.k8s.io') return problem;
  const spec = objAt(obj, 'spec');
  return microTimeProblem(spec['renewTime']) ?? microTimeProblem(spec['acquireTime']);
}

/** A valid MicroTime with its offset folded into Z, keeping the six digits. */
export function normaliseMicroTime(value: string): string {
  const m = MICROTIME_RE.exec(value);
  if (!m || m[3] === 'Z') return value;
  const base = new Date(`${m[1] ?? ''}${m[3] ?? ''}`);
  return `${base.toISOString().slice(0, 19)}.${m[2] ?? '000000'}Z`;
}
