/**
 * The in-server machinery a real control plane provides around storage: admission hooks, deletion hooks,
 * the garbage collector, namespace handling, the disruption controller and CRD serving.
 */
import { leaseAdmission, podSecurityAdmission } from './admission.js';
import type { ApiContext } from './context.js';
import { CRD_STORAGE, crdAdmission, deleteCrd, observeCrd } from './crd.js';
import { DisruptionController } from './disruption.js';
import { eventAdmission, eventsV1Codec } from './events.js';
import { evictionHandler } from './eviction.js';
import { bindingHandler } from './binding.js';
import { GarbageCollector } from './gc.js';
import type { SubresourceHandler } from './handlers.js';
import { deleteNamespace, NAMESPACE_STORAGE, observeNamespace } from './namespaces.js';

export interface Controllers {
  stop(): void;
}

export function installControllers(ctx: ApiContext, subresources: Map<string, SubresourceHandler>): Controllers {
  const eventsV1 = ctx.registry.find('events.k8s.io', 'v1', 'events');
  if (eventsV1) eventsV1.codec = eventsV1Codec;
  ctx.admission.push(leaseAdmission, eventAdmission, podSecurityAdmission(ctx.store), crdAdmission);
  ctx.deleteHooks.set(CRD_STORAGE, deleteCrd);
  ctx.deleteHooks.set(NAMESPACE_STORAGE, deleteNamespace);
  const gc = new GarbageCollector(ctx);
  ctx.orphanDependents = (uid) => gc.orphan(uid);
  const disruption = new DisruptionController(ctx);
  subresources.set('/pods/eviction', evictionHandler(disruption));
  subresources.set('/pods/binding', bindingHandler);
  ctx.store.onChange((storage, ev) => {
    observeCrd(ctx, storage, ev);
    observeNamespace(ctx, storage, ev);
    gc.observe(storage, ev);
    disruption.observe(storage, ev);
  });
  return {
    stop: () => {
      gc.stop();
      disruption.stop();
    },
  };
}
