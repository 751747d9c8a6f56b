/**
 * How stored objects (kept without `kind`/`apiVersion`) are written on the wire: single objects carry their
 * kind and apiVersion; list items do not, exactly as the real server lists them.
 */
import type { Obj } from './json.js';
import { apiVersionOf, type ResourceDef } from './resources.js';

export function present(def: ResourceDef, stored: Obj): Obj {
  const body = def.codec ? def.codec.fromStorage(stored) : stored;
  const { kind: _k, apiVersion: _a, ...rest } = body;
  return { kind: def.kind, apiVersion: apiVersionOf(def), ...rest };
}

export function presentItem(def: ResourceDef, stored: Obj): Obj {
  if (!def.codec && stored['kind'] === undefined) return stored;
  const { kind: _k, apiVersion: _a, ...rest } = def.codec ? def.codec.fromStorage(stored) : stored;
  return rest;
}

/** The stored form of an incoming body: converted to storage, without `kind`/`apiVersion`. */
export function toStored(def: ResourceDef, body: Obj): Obj {
  const converted = def.codec ? def.codec.toStorage(body) : body;
  const { kind: _k, apiVersion: _a, ...rest } = converted;
  return rest;
}

export function listOf(def: ResourceDef, items: Obj[], meta: Obj): Obj {
  return {
    kind: `${def.custom ? def.kind : def.kind}List`,
    apiVersion: apiVersionOf(def),
    metadata: meta,
    items: items.map((o) => presentItem(def, o)),
  };
}
