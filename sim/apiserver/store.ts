/**
 * The object store: one table per storage key, one global resourceVersion counter bumped on every write,
 * and indexes by namespace and (for pods) by `spec.nodeName`, so a field-selected list costs what it returns.
 * Stored objects are never mutated; every write replaces the stored reference.
 */
import { metaOf, nameOf, namespaceOf, strAt, valueAtPath, type Obj } from './json.js';

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoredEvent {
  type: EventType;
  rv: number;
  object: Obj;
  /** The object as it was before this write (MODIFIED/DELETED). */
  previous: Obj | undefined;
  /** Memo of the serialized `{type, object}` lines, by the watchers' resource (kind and version) and event type. */
  lines?: Map<string, string>;
}

export type ChangeListener = (storage: string, ev: StoredEvent) => void;

const keyOf = (ns: string, name: string): string => `${ns}/${name}`;

/** Secondary index by one string field of the object (pods by `spec.nodeName`). */
const NODE_INDEXED = new Set(['/pods']);
const NODE_FIELD = ['spec', 'nodeName'];

class Table {
  readonly items = new Map<string, Obj>();
  readonly byNamespace = new Map<string, Map<string, Obj>>();
  readonly byNode: Map<string, Map<string, Obj>> | undefined;

  constructor(indexByNode: boolean) {
    this.byNode = indexByNode ? new Map() : undefined;
  }

  set(key: string, obj: Obj, previous: Obj | undefined): void {
    this.items.set(key, obj);
    addTo(this.byNamespace, namespaceOf(obj), key, obj);
    if (!this.byNode) return;
    if (previous) removeFrom(this.byNode, nodeNameOf(previous), key);
    addTo(this.byNode, nodeNameOf(obj), key, obj);
  }

  delete(key: string, obj: Obj): void {
    this.items.delete(key);
    removeFrom(this.byNamespace, namespaceOf(obj), key);
    if (this.byNode) removeFrom(this.byNode, nodeNameOf(obj), key);
  }
}

function nodeNameOf(o: Obj): string {
  const v = valueAtPath(o, NODE_FIELD);
  return typeof v === 'string' ? v : '';
}

function addTo(index: Map<string, Map<string, Obj>>, bucket: string, key: string, obj: Obj): void {
  let m = index.get(bucket);
  if (!m) {
    m = new Map();
    index.set(bucket, m);
  }
  m.set(key, obj);
}

function removeFrom(index: Map<string, Map<string, Obj>>, bucket: string, key: string): void {
  const m = index.get(bucket);
  if (!m) return;
  m.delete(key);
  if (m.size === 0) index.delete(bucket);
}

export interface ListScope {
  namespace?: string;
  nodeName?: string;
}

export class ObjectStore {
  private rv: number;
  private readonly tables = new Map<string, Table>();
  private readonly listeners: ChangeListener[] = [];

  constructor(initialRv: number) {
    this.rv = initialRv;
  }

  onChange(listener: ChangeListener): void {
    this.listeners.push(listener);
  }

  currentRv(): number {
    return this.rv;
  }

  get(storage: string, ns: string, name: string): Obj | undefined {
    return this.tables.get(storage)?.items.get(keyOf(ns, name));
  }

  /** Objects in scope, sorted by `namespace/name` like etcd keys. */
  list(storage: string, scope: ListScope = {}): Obj[] {
    const table = this.tables.get(storage);
    if (!table) return [];
    const source = pickSource(table, scope);
    const entries = [...source.entries()];
    if (scope.namespace !== undefined && scope.nodeName !== undefined) {
      const ns = scope.namespace;
      return sortByKey(entries.filter(([, o]) => namespaceOf(o) === ns));
    }
    return sortByKey(entries);
  }

  count(storage: string): number {
    return this.tables.get(storage)?.items.size ?? 0;
  }

  /** Store a new or replaced object; stamps `metadata.resourceVersion` with the next global RV. */
  put(storage: string, obj: Obj): Obj {
    const table = this.table(storage);
    const key = keyOf(namespaceOf(obj), nameOf(obj));
    const previous = table.items.get(key);
    this.rv += 1;
    const stored: Obj = { ...obj, metadata: { ...metaOf(obj), resourceVersion: String(this.rv) } };
    table.set(key, stored, previous);
    this.emit(storage, { type: previous ? 'MODIFIED' : 'ADDED', rv: this.rv, object: stored, previous });
    return stored;
  }

  /** Remove an object for good; the DELETED event carries the deletion's RV. */
  remove(storage: string, ns: string, name: string): Obj | undefined {
    const table = this.tables.get(storage);
    const key = keyOf(ns, name);
    const previous = table?.items.get(key);
    if (!table || !previous) return undefined;
    this.rv += 1;
    const gone: Obj = { ...previous, metadata: { ...metaOf(previous), resourceVersion: String(this.rv) } };
    table.delete(key, previous);
    this.emit(storage, { type: 'DELETED', rv: this.rv, object: gone, previous });
    return gone;
  }

  /** Drop a whole table (a CRD's objects after the CRD is gone), emitting DELETED for each. */
  dropTable(storage: string): void {
    for (const o of this.list(storage)) this.remove(storage, namespaceOf(o), nameOf(o));
    this.tables.delete(storage);
  }

  private table(storage: string): Table {
    let t = this.tables.get(storage);
    if (!t) {
      t = new Table(NODE_INDEXED.has(storage));
      this.tables.set(storage, t);
    }
    return t;
  }

  private emit(storage: string, ev: StoredEvent): void {
    for (const l of this.listeners) l(storage, ev);
  }
}

function pickSource(table: Table, scope: ListScope): Map<string, Obj> {
  if (scope.nodeName !== undefined && table.byNode) return table.byNode.get(scope.nodeName) ?? new Map<string, Obj>();
  if (scope.namespace !== undefined) return table.byNamespace.get(scope.namespace) ?? new Map<string, Obj>();
  return table.items;
}

function sortByKey(entries: [string, Obj][]): Obj[] {
  entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return entries.map(([, o]) => o);
}

export const resourceVersionOf = (o: Obj): string | undefined => strAt(metaOf(o), 'resourceVersion');
