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
  /** The halted node; null when pre-flight halted the rollout (it checks again by itself). */
  node: string | null;
  /** The demo's own Migration among those watched. */
  migration: () => MigrationObject | undefined;
  migrations: WatchedList<MigrationObject>;
  deadlineMs: number;
}

/** Asks for the retry, waits for the coordinator to take it up (the rollout leaves Halted), then for the end. */
export async function retryAndWait(r: RetryRequest): Promise<RolloutEnd> {
  if (r.node !== null) await requestNode(operatorApi(r.admin), r.node, 'retry');
  await r.migrations.until(() => r.migration()?.status?.phase !== 'Halted', `the rollout to go on after ${r.node ?? 'pre-flight'}`, r.deadlineMs);
  await r.migrations.until(() => rolloutEnd(r.migration()) !== undefined, 'the rollout after the retry', r.deadlineMs);
  return rolloutEnd(r.migration()) ?? { kind: 'halted', reason: 'unknown' };
}
