/**
 * `--then`: what an operator does after a halt, played by the demo. It lifts the scenario's fault (the
 * blocking PodDisruptionBudget, or the node's broken DNS), then asks exactly as `cni-migrate retry NODE` or
 * `cni-migrate rollback NODE` does, and waits for the rollout to end again. A rolled-back node (validated on
 * Calico's pool) is then migrated again, so the run ends with every node on Cilium.
 */
import type { KubeConfig, V1Node } from '@kubernetes/client-node';
import { operatorApi, requestNode } from '../../coordinator/operator.js';
import { NodeAnnotation } from '../../shared/names.js';
import type { EvictionBlock } from '../cluster/pdb-faults.js';
import type { SimCluster } from '../index.js';
import { rolloutEnd, type MigrationObject, type RolloutEnd } from './migration-watch.js';
import type { ThenRequest } from './options.js';
import type { WatchedList } from './watch-cache.js';

export interface LiftableFaults {
  /** The PodDisruptionBudget the scenario added. */
  block?: EvictionBlock;
  /** The node whose faults the scenario set. */
  victim?: string;
}

export async function liftFaults(sim: SimCluster, f: LiftableFaults): Promise<void> {
  if (f.block) await sim.faults.unblockEvictions(f.block);
  if (f.victim) sim.faults.clear(f.victim);
}

export interface OperatorRequest {
  admin: KubeConfig;
  request: ThenRequest;
  /** The halted node; null when pre-flight halted the rollout (it checks again by itself). */
  node: string | null;
  /** The demo's own Migration among those watched. */
  migration: () => MigrationObject | undefined;
  migrations: WatchedList<MigrationObject>;
  nodes: WatchedList<V1Node>;
  deadlineMs: number;
}

const phaseOf = (nodes: readonly V1Node[], name: string): string | undefined =>
  nodes.find((n) => n.metadata?.name === name)?.metadata?.annotations?.[NodeAnnotation.phase];

/** Asks for `request` on the node and waits until the node reaches `phase`. */
async function askAndWait(r: OperatorRequest, node: string, request: ThenRequest, phase: string): Promise<void> {
  await requestNode(operatorApi(r.admin), node, request);
  await r.nodes.until((items) => phaseOf(items, node) === phase, `${node} ${phase} after ${request}`, r.deadlineMs);
}

/** Carries out the request, waits for the coordinator to take it up, then for the rollout's end. */
export async function actAndWait(r: OperatorRequest): Promise<RolloutEnd> {
  if (r.request === 'rollback' && r.node !== null) {
    await askAndWait(r, r.node, 'rollback', 'RolledBack');
    await askAndWait(r, r.node, 'retry', 'Done');
  } else {
    if (r.node !== null) await requestNode(operatorApi(r.admin), r.node, 'retry');
    await r.migrations.until(() => r.migration()?.status?.phase !== 'Halted', `the rollout to go on after ${r.node ?? 'pre-flight'}`, r.deadlineMs);
  }
  await r.migrations.until(() => rolloutEnd(r.migration()) !== undefined, `the rollout after the ${r.request}`, r.deadlineMs);
  return rolloutEnd(r.migration()) ?? { kind: 'halted', reason: 'unknown' };
}
