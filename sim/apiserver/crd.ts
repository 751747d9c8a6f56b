/**
 * CustomResourceDefinitions: accepted and Established at once, every served version registered as a
 * resource (namespaced or cluster, `status` subresource when declared); custom resources validated and
 * pruned against the schema; deleting a CRD marks it Terminating, then removes its objects and itself.
 */
import { timestamp, type ApiContext, type AdmissionHook } from './context.js';
import { arrAt, isObj, metaOf, nameOf, objAt, strAt, withMeta, type Obj } from './json.js';
import { present } from './present.js';
import { ALL_VERBS, type ResourceDef } from './resources.js';
import { applySchema } from './crd-schema.js';
import { badRequest, invalid } from './status.js';
import type { StoredEvent } from './store.js';

export const CRD_STORAGE = 'apiextensions.k8s.io/customresourcedefinitions';
const CLEANUP_FINALIZER = 'customresourcecleanup.apiextensions.k8s.io';

function condition(type: string, reason: string, message: string, at: string): Obj {
  return { type, status: 'True', lastTransitionTime: at, reason, message };
}

function establishedStatus(crd: Obj, at: string): Obj {
  const spec = objAt(crd, 'spec');
  const storage = arrAt(spec, 'versions').find((v) => isObj(v) && v['storage'] === true);
  return {
    conditions: [
      condition('NamesAccepted', 'NoConflicts', 'no conflicts found', at),
      condition('Established', 'InitialNamesAccepted', 'the initial names have been accepted', at),
    ],
    acceptedNames: objAt(spec, 'names'),
    storedVersions: isObj(storage) ? [storage['name']] : [],
  };
}

/** The resources one CRD serves, one per served version. */
export function defsOfCrd(crd: Obj): ResourceDef[] {
  const spec = objAt(crd, 'spec');
  const names = objAt(spec, 'names');
  const group = strAt(spec, 'group') ?? '';
  const plural = strAt(names, 'plural') ?? '';
  return arrAt(spec, 'versions').flatMap((v): ResourceDef[] => {
    if (!isObj(v) || v['served'] === false) return [];
    const hasStatus = isObj(objAt(v, 'subresources')['status']);
    const def: ResourceDef = {
      group, version: strAt(v, 'name') ?? 'v1', plural, singular: strAt(names, 'singular') ?? plural,
      kind: strAt(names, 'kind') ?? plural, namespaced: strAt(spec, 'scope') !== 'Cluster', storage: `${group}/${plural}`,
      verbs: ALL_VERBS, subresources: hasStatus ? ['status'] : [], hasStatus, hasGeneration: true, returnsDeletedObject: false,
      custom: { schema: objAt(objAt(v, 'schema'), 'openAPIV3Schema'), crdName: nameOf(crd), printerColumns: arrAt(v, 'additionalPrinterColumns').filter(isObj) },
    };
    const shortNames = arrAt(names, 'shortNames').filter((s): s is string => typeof s === 'string');
    if (shortNames.length > 0) def.shortNames = shortNames;
    return [def];
  });
}

/** Admission for CRDs (status filled in) and custom resources (schema validation, pruning). */
export const crdAdmission: AdmissionHook = (def, obj, _old, opts) => {
  if (def.storage === CRD_STORAGE && !obj['status']) {
    return { obj: { ...obj, status: establishedStatus(obj, strAt(metaOf(obj), 'creationTimestamp') ?? '') }, warnings: [] };
  }
  if (!def.custom) return { obj, warnings: [] };
  const outcome = applySchema(def.custom.schema, obj);
  if (outcome.unknownFields.length > 0 && opts.strict) {
    const list = outcome.unknownFields.map((f) => `unknown field "${f}"`).join(', ');
    throw badRequest(`${def.kind} in version "${def.version}" cannot be handled as a ${def.kind}: strict decoding error: ${list}`);
  }
  if (outcome.causes.length > 0) throw invalid(def.kind, nameOf(obj), outcome.causes, def.group);
  return { obj: outcome.value, warnings: outcome.unknownFields.map((f) => `unknown field "${f}"`) };
};

/** Keeps the served resources in step with the stored CRDs. */
export function observeCrd(ctx: ApiContext, storage: string, ev: StoredEvent): void {
  if (storage !== CRD_STORAGE) return;
  if (ev.previous) for (const d of defsOfCrd(ev.previous)) ctx.registry.remove(d);
  if (ev.type !== 'DELETED') for (const d of defsOfCrd(ev.object)) ctx.registry.add(d);
}

function removeCrd(ctx: ApiContext, def: ResourceDef, name: string): void {
  const crd = ctx.store.get(def.storage, '', name);
  if (!crd) return;
  const [first] = defsOfCrd(crd);
  if (first) ctx.store.dropTable(first.storage);
  ctx.store.remove(def.storage, '', name);
}

/** DELETE of a CRD: Terminating with the cleanup finalizer now, gone (with its objects) right after. */
export function deleteCrd(ctx: ApiContext, def: ResourceDef, crd: Obj): Obj {
  const at = timestamp(ctx.now());
  const status = objAt(crd, 'status');
  const conditions = [...arrAt(status, 'conditions'), { ...condition('Terminating', 'InstanceDeletionPending', 'CustomResourceDefinition marked for deletion; CustomResource deletion will begin soon', at) }];
  const finalizers = [...new Set([...arrAt(metaOf(crd), 'finalizers'), CLEANUP_FINALIZER])];
  const marked = withMeta({ ...crd, status: { ...status, conditions } }, { deletionTimestamp: at, finalizers });
  const stored = ctx.store.put(def.storage, marked);
  setImmediate(() => removeCrd(ctx, def, nameOf(crd)));
  return present(def, stored);
}
