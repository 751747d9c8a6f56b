/**
 * The Table form (`Accept: application/json;as=Table;v=v1;g=meta.k8s.io`, what `kubectl get` asks for):
 * built-in kinds through their printers, custom resources through their CRD's additionalPrinterColumns
 * (NAME, AGE when there are none; a JSONPath that finds nothing is a null cell), anything else Name and
 * Created At. Each row carries the object as PartialObjectMetadata unless `includeObject` says otherwise.
 */
import { evaluate, parseJsonPath } from './jsonpath.js';
import { isObj, metaOf, nameOf, objAt, strAt, type Obj } from './json.js';
import type { Reply } from './handlers.js';
import { apiVersionOf, type ResourceDef } from './resources.js';
import { badRequest } from './status.js';
import { DEFAULT_PRINTER, humanDuration, NAME_COLUMN, PRINTERS, type Column, type Printer } from './table-printers.js';

/** The Table version the Accept header asks for first, if it asks for a Table before plain JSON. */
export function tableVersionAsked(accept: string | undefined): string | undefined {
  for (const clause of (accept ?? '').split(',')) {
    const [type = '', ...params] = clause.split(';').map((p) => p.trim());
    const p = new Map(params.map((x): [string, string] => [x.split('=')[0]?.trim() ?? '', x.split('=')[1]?.trim() ?? '']));
    if (!p.has('as')) return undefined;
    const v = p.get('v') ?? '';
    if (type === 'application/json' && p.get('as') === 'Table' && p.get('g') === 'meta.k8s.io' && ['v1', 'v1beta1'].includes(v)) return v;
  }
  return undefined;
}

const AGE_DESCRIPTION = 'CreationTimestamp is a timestamp representing the server time when this object was created.';

const CELL: Record<string, (v: unknown, now: Date) => unknown> = {
  string: (v) => (typeof v === 'string' ? v : JSON.stringify(v)),
  integer: (v) => (typeof v === 'number' ? Math.trunc(v) : null),
  number: (v) => (typeof v === 'number' ? v : null),
  boolean: (v) => (typeof v === 'boolean' ? v : null),
  date: (v, now) => (typeof v !== 'string' ? null : Number.isNaN(Date.parse(v)) ? '<invalid>' : humanDuration(now.getTime() - Date.parse(v))),
};

function customCell(type: string, found: unknown[], now: Date): unknown {
  const value = found[0];
  if (value === undefined || value === null) return null;
  return CELL[type]?.(value, now) ?? null;
}

function customPrinter(def: ResourceDef): Printer {
  const declared = def.custom?.printerColumns ?? [];
  const columns = declared.length > 0 ? declared : [{ name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp', description: AGE_DESCRIPTION }];
  const paths = columns.map((c) => parseJsonPath(strAt(c, 'jsonPath') ?? ''));
  const types = columns.map((c) => strAt(c, 'type') ?? 'string');
  const defs: Column[] = columns.map((c) => ({
    name: strAt(c, 'name') ?? '',
    type: strAt(c, 'type') ?? 'string',
    format: strAt(c, 'format') ?? '',
    description: strAt(c, 'description') ?? `Custom resource definition column (in JSONPath format): ${strAt(c, 'jsonPath') ?? ''}`,
    priority: typeof c['priority'] === 'number' ? c['priority'] : 0,
  }));
  return {
    columns: [NAME_COLUMN, ...defs],
    cells: (o, now) => [nameOf(o), ...paths.map((p, i) => customCell(types[i] ?? 'string', evaluate(p, o), now))],
  };
}

const printerOf = (def: ResourceDef): Printer => (def.custom ? customPrinter(def) : (PRINTERS[def.storage] ?? DEFAULT_PRINTER));

type RowObject = (o: Obj, def: ResourceDef) => Obj | undefined;

function rowObjectOf(query: URLSearchParams): RowObject {
  const include = query.get('includeObject') ?? 'Metadata';
  if (include === 'None') return () => undefined;
  if (include === 'Object') return (o, def) => ({ kind: def.kind, apiVersion: apiVersionOf(def), ...o });
  if (include === 'Metadata') return (o) => ({ kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: metaOf(o) });
  throw badRequest(`unrecognized includeObject value: "${include}"`);
}

/** A GET or LIST reply turned into the Table the client asked for. */
export function toTable(def: ResourceDef, reply: Reply, request: { version: string; query: URLSearchParams; now: Date }): Reply {
  const printer = printerOf(def);
  const rowObject = rowObjectOf(request.query);
  const body = reply.body;
  const isList = Array.isArray(body['items']);
  const objects = isList ? (body['items'] as unknown[]).filter(isObj) : [body];
  const rows = objects.map((o) => {
    const row: Obj = { cells: printer.cells(o, request.now) };
    const object = rowObject(o, def);
    if (object) row['object'] = object;
    return row;
  });
  const listMeta = isList ? objAt(body, 'metadata') : { resourceVersion: metaOf(body)['resourceVersion'] };
  return { ...reply, body: { kind: 'Table', apiVersion: `meta.k8s.io/${request.version}`, metadata: listMeta, columnDefinitions: printer.columns, rows } };
}
