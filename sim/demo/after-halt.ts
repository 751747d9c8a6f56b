/**
 * `--then retry`: what an operator does after a halt, played by the demo. It lifts the scenario's fault (the
 * blocking PodDisruptionBudget, or the node's broken DNS), asks for the retry exactly as `cni-migrate retry
 * NODE` does, and waits for the rollout to end again.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { operatorApi, requestNode } from '../../coordinator/operator.js';
import type { EvictionBlock } from '../cluster/pdb-faults.js';
import type { SimCluster } from '../index.js';
import { rolloutEnd, type MigrationObject, type RolloutEnd } from './migration-watch.js';
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

export interface RetryRequest {
  admin: KubeConfig;
  node: string;
  migrations: WatchedList<MigrationObject>;
  deadlineMs: number;
}

/** Asks for the retry, waits for the coordinator to take it up (the rollout leaves Halted), then for the end. */
export async function retryAndWait(r: RetryRequest): Promise<RolloutEnd> {
  await requestNode(operatorApi(r.admin), r.node, 'retry');
  await r.migrations.until((items) => items[0]?.status?.phase !== 'Halted', `the retry of ${r.node} to start`, r.deadlineMs);
  await r.migrations.until((items) => rolloutEnd(items[0]) !== undefined, 'the rollout after the retry', r.deadlineMs);
  return rolloutEnd(r.migrations.list()[0]) ?? { kind: 'halted', reason: 'unknown' };
}
