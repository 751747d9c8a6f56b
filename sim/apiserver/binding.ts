/**
 * `pods/NAME/binding` (what a scheduler posts): sets `spec.nodeName` once; 409 if the pod is already bound.
 */
import { z } from 'zod';
import type { ApiContext } from './context.js';
import type { Reply, RequestBody, SubresourceHandler } from './handlers.js';
import { objAt, strAt } from './json.js';
import type { ResourceRequest } from './request-info.js';
import type { ResourceDef } from './resources.js';
import { badRequest, KubeStatusError, failure, methodNotAllowed, notFound } from './status.js';

const bindingSchema = z.object({
  kind: z.literal('Binding').optional(),
  target: z.object({ kind: z.literal('Node').optional(), name: z.string().min(1) }),
});

export const bindingHandler: SubresourceHandler = (ctx: ApiContext, def: ResourceDef, req: ResourceRequest, body: RequestBody): Reply => {
  if (req.verb !== 'create') throw methodNotAllowed();
  const parsed = bindingSchema.safeParse(body.json);
  if (!parsed.success) throw badRequest(`Binding is invalid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const name = req.name ?? '';
  const pod = ctx.store.get(def.storage, req.namespace ?? '', name);
  if (!pod) throw notFound(def, name);
  const bound = strAt(objAt(pod, 'spec'), 'nodeName');
  if (bound) {
    throw new KubeStatusError(409, failure(409, `Operation cannot be fulfilled on pods/binding "${name}": pod ${name} is already assigned to node "${bound}"`, 'Conflict', { name, kind: 'pods/binding' }));
  }
  ctx.store.put(def.storage, { ...pod, spec: { ...objAt(pod, 'spec'), nodeName: parsed.data.target.name } });
  return { status: 201, body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 } };
};
