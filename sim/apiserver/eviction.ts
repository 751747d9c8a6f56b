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
    deleteOptions: z
      .object({ gracePeriodSeconds: z.number().int().nullish(), dryRun: z.array(z.string()).nullish() })
      .passthrough()
      .nullish(),
  })
  .passthrough();

interface EvictionOptions {
  grace: number | undefined;
  dryRun: boolean;
}

const SUCCESS: Obj = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 };
const VIOLATION = "Cannot evict pod as it would violate the pod's disruption budget.";

function withDisruptionTarget(ctx: ApiContext, def: ResourceDef, pod: Obj): Obj {
  const status = objAt(pod, 'status');
  const others = arrAt(status, 'conditions').filter((c) => !(isObj(c) && c['type'] === 'DisruptionTarget'));
  const condition = { type: 'DisruptionTarget', status: 'True', lastProbeTime: null, lastTransitionTime: timestamp(ctx.now()), reason: 'EvictionByEvictionAPI', message: 'Eviction API: evicting' };
  return ctx.store.put(def.storage, { ...pod, status: { ...status, conditions: [...others, condition] } });
}

function evict(ctx: ApiContext, def: ResourceDef, pod: Obj, o: EvictionOptions): Reply {
  if (o.dryRun) return { status: 201, body: SUCCESS };
  const marked = withDisruptionTarget(ctx, def, pod);
  deleteObject(ctx, def, marked, o.grace === undefined ? { dryRun: false } : { dryRun: false, gracePeriodSeconds: o.grace });
  return { status: 201, body: SUCCESS };
}

function blocked(message: string): never {
  throw tooManyRequests(VIOLATION, [{ reason: 'DisruptionBudget', message }]);
}

/**
 * Throws 429 when the budget forbids evicting `pod`; true when the eviction uses up a disruption, false
 * when an unhealthy pod may go without (IfHealthyBudget / AlwaysAllow).
 */
function consumesDisruption(pdb: Obj, pod: Obj): boolean {
  const name = nameOf(pdb);
  const status = objAt(pdb, 'status');
  if (observedGenerationOf(pdb) < generationOf(pdb)) blocked(`The disruption budget ${name} is still being processed by the server.`);
  const current = Number(status['currentHealthy'] ?? 0);
  const desired = Number(status['desiredHealthy'] ?? 0);
  const alwaysAllow = objAt(pdb, 'spec')['unhealthyPodEvictionPolicy'] === 'AlwaysAllow';
  if (!isPodHealthy(pod) && (alwaysAllow || current >= desired)) return false;
  if (Number(status['disruptionsAllowed'] ?? 0) <= 0) blocked(`The disruption budget ${name} needs ${desired} healthy pods and has ${current} currently`);
  return true;
}

function recordDisruption(ctx: ApiContext, pdb: Obj, pod: Obj): void {
  const status = objAt(pdb, 'status');
  const disruptedPods = { ...objAt(status, 'disruptedPods'), [nameOf(pod)]: timestamp(ctx.now()) };
  const disruptionsAllowed = Number(status['disruptionsAllowed'] ?? 0) - 1;
  ctx.store.put(PDB_STORAGE, { ...pdb, status: { ...status, disruptionsAllowed, disruptedPods } });
}

/** The pod's one PDB, freshly computed; 500 with more than one (as the real eviction subresource). */
function currentBudget(disruption: DisruptionController, pod: Obj): Obj | undefined {
  const budgets = disruption.budgetsFor(pod);
  if (budgets.length > 1) throw internalError('This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.');
  const [budget] = budgets;
  return budget ? disruption.refresh(namespaceOf(budget), nameOf(budget)) : undefined;
}

function requireSameName(eviction: Obj, name: string | undefined): void {
  const bodyName = isObj(eviction['metadata']) ? eviction['metadata']['name'] : undefined;
  if (bodyName !== name) throw badRequest('name in URL does not match name in Eviction object');
}

function optionsOf(req: ResourceRequest, body: RequestBody): EvictionOptions {
  if (req.verb !== 'create') throw methodNotAllowed();
  const parsed = evictionSchema.safeParse(body.json ?? {});
  if (!parsed.success) throw badRequest(`Eviction is invalid: ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}`);
  requireSameName(parsed.data, req.name);
  const opts = parsed.data.deleteOptions;
  const dryRun = req.query.getAll('dryRun').includes('All') || (opts?.dryRun ?? []).includes('All');
  return { grace: opts?.gracePeriodSeconds ?? undefined, dryRun };
}

export function evictionHandler(disruption: DisruptionController): SubresourceHandler {
  return (ctx: ApiContext, def: ResourceDef, req: ResourceRequest, body: RequestBody): Reply => {
    const o = optionsOf(req, body);
    const name = req.name ?? '';
    const pod = ctx.store.get(def.storage, req.namespace ?? '', name);
    if (!pod) throw notFound(def, name);
    if (metaOf(pod)['deletionTimestamp'] !== undefined) return { status: 201, body: SUCCESS };
    if (['Pending', 'Succeeded', 'Failed'].includes(phaseOf(pod))) return evict(ctx, def, pod, o);
    const pdb = currentBudget(disruption, pod);
    if (pdb && consumesDisruption(pdb, pod) && !o.dryRun) recordDisruption(ctx, pdb, pod);
    return evict(ctx, def, pod, o);
  };
}
