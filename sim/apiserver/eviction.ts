/**
 * `pods/NAME/eviction` (policy/v1 Eviction): honours the pod's single PodDisruptionBudget (429 when no
 * disruption is allowed, 500 with two budgets), bypasses budgets for pods that are not Running, records
 * the disruption on the budget and marks the pod with a DisruptionTarget condition before deleting it.
 */
import { z } from 'zod';
import { timestamp, type ApiContext } from './context.js';
import { generationOf, observedGenerationOf, phaseOf, PDB_STORAGE, type DisruptionController } from './disruption.js';
import type { Reply, RequestBody, SubresourceHandler } from './handlers.js';
import { arrAt, isObj, metaOf, nameOf, namespaceOf, objAt, type Obj } from './json.js';
import { deleteObject } from './lifecycle.js';
import { isPodHealthy } from './pdb-status.js';
import type { ResourceRequest } from './request-info.js';
import type { ResourceDef } from './resources.js';
import { badRequest, internalError, methodNotAllowed, notFound, tooManyRequests } from './status.js';

const evictionSchema = z
  .object({
    kind: z.literal('Eviction').optional(),
    deleteOptions: z.object({ gracePeriodSeconds: z.number().int().nonnegative().nullish() }).passthrough().nullish(),
  })
  .passthrough();

const SUCCESS: Obj = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 };
const VIOLATION = "Cannot evict pod as it would violate the pod's disruption budget.";

function withDisruptionTarget(ctx: ApiContext, def: ResourceDef, pod: Obj): Obj {
  const status = objAt(pod, 'status');
  const others = arrAt(status, 'conditions').filter((c) => !(isObj(c) && c['type'] === 'DisruptionTarget'));
  const condition = { type: 'DisruptionTarget', status: 'True', lastProbeTime: null, lastTransitionTime: timestamp(ctx.now()), reason: 'EvictionByEvictionAPI', message: 'Eviction API: evicting' };
  return ctx.store.put(def.storage, { ...pod, status: { ...status, conditions: [...others, condition] } });
}

function evict(ctx: ApiContext, def: ResourceDef, pod: Obj, grace: number | undefined): Reply {
  const marked = withDisruptionTarget(ctx, def, pod);
  deleteObject(ctx, def, marked, grace === undefined ? { dryRun: false } : { dryRun: false, gracePeriodSeconds: grace });
  return { status: 201, body: SUCCESS };
}

function blocked(message: string): never {
  throw tooManyRequests(VIOLATION, [{ reason: 'DisruptionBudget', message }]);
}

function checkBudget(ctx: ApiContext, disruption: DisruptionController, pdbName: string, pod: Obj): void {
  const ns = namespaceOf(pod);
  const pdb = disruption.refresh(ns, pdbName);
  if (!pdb) return;
  const status = objAt(pdb, 'status');
  if (observedGenerationOf(pdb) < generationOf(pdb)) blocked(`The disruption budget ${pdbName} is still being processed by the server.`);
  const current = Number(status['currentHealthy'] ?? 0);
  const desired = Number(status['desiredHealthy'] ?? 0);
  const alwaysAllow = objAt(pdb, 'spec')['unhealthyPodEvictionPolicy'] === 'AlwaysAllow';
  if (!isPodHealthy(pod) && (alwaysAllow || current >= desired)) return;
  const allowed = Number(status['disruptionsAllowed'] ?? 0);
  if (allowed <= 0) blocked(`The disruption budget ${pdbName} needs ${desired} healthy pods and has ${current} currently`);
  const disruptedPods = { ...objAt(status, 'disruptedPods'), [nameOf(pod)]: timestamp(ctx.now()) };
  ctx.store.put(PDB_STORAGE, { ...pdb, status: { ...status, disruptionsAllowed: allowed - 1, disruptedPods } });
}

function graceOf(req: ResourceRequest, body: RequestBody): number | undefined {
  if (req.verb !== 'create') throw methodNotAllowed();
  const parsed = evictionSchema.safeParse(body.json ?? {});
  if (!parsed.success) throw badRequest(`Eviction is invalid: ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}`);
  return parsed.data.deleteOptions?.gracePeriodSeconds ?? undefined;
}

export function evictionHandler(disruption: DisruptionController): SubresourceHandler {
  return (ctx: ApiContext, def: ResourceDef, req: ResourceRequest, body: RequestBody): Reply => {
    const grace = graceOf(req, body);
    const name = req.name ?? '';
    const pod = ctx.store.get(def.storage, req.namespace ?? '', name);
    if (!pod) throw notFound(def, name);
    if (metaOf(pod)['deletionTimestamp'] !== undefined) return { status: 201, body: SUCCESS };
    if (['Pending', 'Succeeded', 'Failed'].includes(phaseOf(pod))) return evict(ctx, def, pod, grace);
    const budgets = disruption.budgetsFor(pod);
    if (budgets.length > 1) throw internalError('This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.');
    const [budget] = budgets;
    if (budget) checkBudget(ctx, disruption, nameOf(budget), pod);
    return evict(ctx, def, pod, grace);
  };
}
