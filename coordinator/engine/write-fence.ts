/**
 * The write fence of a crashed engine: once `alive()` turns false, every write the engine still attempts
 * (a continuation of an action cut mid-flight, a renewal timer that was already due) is refused before
 * it reaches the API, as if the process were gone. Reads pass through untouched.
 */
import { CniMigrateError } from '../../shared/errors.js';
import type { Cluster } from './cluster.js';

function refuse(what: string): Promise<never> {
  return Promise.reject(new CniMigrateError('Internal', `coordinator crashed: ${what} not written`));
}

export function fenceWrites(cluster: Cluster, alive: () => boolean): Cluster {
  const { nodes, pods, leases, events, migration } = cluster;
  return {
    ...cluster,
    nodes: {
      namesMatching: (selector) => nodes.namesMatching(selector),
      patch: (name, patch) => (alive() ? nodes.patch(name, patch) : refuse(`node ${name}`)),
    },
    pods: {
      listNodePods: (node) => pods.listNodePods(node),
      watchNodePods: (node, from) => pods.watchNodePods(node, from),
      runningPods: () => pods.runningPods(),
      evict: (ref) => (alive() ? pods.evict(ref) : refuse(`eviction of ${ref.namespace}/${ref.name}`)),
      deleteIfUid: (ref, uid) => (alive() ? pods.deleteIfUid(ref, uid) : refuse(`deletion of ${ref.namespace}/${ref.name}`)),
    },
    leases: {
      get: (name) => leases.get(name),
      list: () => leases.list(),
      write: (lease) => (alive() ? leases.write(lease) : refuse(`lease ${lease.name}`)),
    },
    events: { emit: (e) => (alive() ? events.emit(e) : refuse(`event for ${e.node}`)) },
    migration: {
      get: () => migration.get(),
      patchStatus: (status) => (alive() ? migration.patchStatus(status) : refuse('migration status')),
      patchSpec: (spec) => (alive() ? migration.patchSpec(spec) : refuse('migration spec')),
    },
  };
}
