/**
 * What every handler shares: the store, the watch hub, the served resources, the clock and the hooks
 * that other parts (admission, custom resources, PDB status) plug into the write path.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '../../shared/logger.js';
import type { Obj } from './json.js';
import type { ResourceDef, ResourceRegistry } from './resources.js';
import type { ObjectStore } from './store.js';
import type { WatchHub } from './watch-hub.js';

export interface WriteOptions {
  dryRun: boolean;
  /** `fieldValidation=Strict`: unknown fields are an error rather than a warning. */
  strict: boolean;
  /** Unknown fields are reported as Warnings (`fieldValidation` unset or `Warn`; not `Ignore`). */
  warnUnknown?: boolean;
}

export type WriteOp = 'create' | 'update';

/** A check or mutation run on an object about to be written; may throw a Status error; returns warnings. */
export type AdmissionHook = (def: ResourceDef, obj: Obj, old: Obj | undefined, opts: WriteOptions) => { obj: Obj; warnings: string[] };

export interface ApiContext {
  store: ObjectStore;
  hub: WatchHub;
  registry: ResourceRegistry;
  log: Logger;
  now(): Date;
  newUid(): string;
  admission: AdmissionHook[];
  /** Kind-specific deletion by storage table (CRDs, namespaces), taking over from the generic one. */
  deleteHooks: Map<string, DeleteHook>;
  /** Strip the owner reference to `ownerUid` from its dependents (`propagationPolicy: Orphan`). */
  orphanDependents(ownerUid: string): void;
}

/** Kind-specific deletion; returns the DELETE response body. */
export type DeleteHook = (ctx: ApiContext, def: ResourceDef, obj: Obj) => Obj;

export const defaultUid = (): string => randomUUID();

/** `2026-11-26T16:05:30Z`: seconds precision, as Kubernetes `metav1.Time` is serialized. */
export const timestamp = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z');
