/** Builders for the stage decision's table tests. */
import type { ClusterObservations, StageSettings, StageSpec } from '../../../../coordinator/core/stages/index.js';
import type { StageRecord } from '../../../../coordinator/core/stages/record.js';

export const T0 = new Date('2026-01-01T00:00:00.000Z');
export const at = (ms: number): Date => new Date(T0.getTime() + ms);

export const allStages: StageSpec = { promote: true, patchCiliumConfig: false, removeCalico: true, cleanNodes: true, rebootNodes: false, removeCrds: true };

export const stageSettings: StageSettings = {
  concurrency: 2,
  rolloutTimeoutMs: 300_000,
  validateTimeoutMs: 120_000,
  cleanupTimeoutMs: 120_000,
  removalTimeoutMs: 600_000,
  drainTimeoutMs: 60_000,
  rebootTimeoutMs: 300_000,
};

export function clusterObs(over: Partial<ClusterObservations> = {}): ClusterObservations {
  return {
    nodesMigrated: true,
    nodes: ['w1', 'w2', 'w3'],
    promotionMissing: ['custom-cni-conf is true (want false)'],
    helm: undefined,
    ciliumDaemonSetRestartedAt: undefined,
    ciliumRolloutProblem: undefined,
    nodeConfigPresent: true,
    installMethod: 'manifest',
    objects: new Map(),
    backup: undefined,
    crdsPresent: [],
    results: new Map(),
    retryRequested: false,
    rebootNodes: new Map(),
    ...over,
  };
}

export function record(over: Partial<StageRecord> = {}): StageRecord {
  return {
    stage: 'Promote',
    step: 'AwaitingPromotion',
    since: T0.toISOString(),
    attempt: 0,
    nodes: [],
    times: [{ name: 'Promote', startedAt: T0.toISOString() }],
    ...over,
  };
}
