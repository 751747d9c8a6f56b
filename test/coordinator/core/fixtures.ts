/** Builders for the core's table tests. */
import type { Observations, Settings } from '../../../coordinator/core/decision.js';
import type { NodeState } from '../../../coordinator/core/node-state.js';

export const T0 = new Date('2026-01-01T00:00:00.000Z');
export const later = (ms: number): Date => new Date(T0.getTime() + ms);
export const BOOT_A = '11111111-1111-4111-8111-111111111111';
export const BOOT_B = '22222222-2222-4222-8222-222222222222';

export const settings: Settings = {
  autoRollback: false,
  drainTimeoutMs: 60_000,
  rebootTimeoutMs: 300_000,
  validateTimeoutMs: 120_000,
};

export function state(over: Partial<NodeState> = {}): NodeState {
  return {
    name: 'w1',
    phase: 'Pending',
    attempt: 1,
    phaseSince: T0,
    startedAt: T0,
    finishedAt: undefined,
    direction: 'migrate',
    wasUnschedulable: false,
    bootIdBefore: undefined,
    ciliumPodBefore: undefined,
    peers: [],
    haltReason: undefined,
    failedPhase: undefined,
    lastResult: undefined,
    request: undefined,
    ...over,
  };
}

export function obs(over: Partial<Observations> = {}): Observations {
  return {
    granted: true,
    unschedulable: false,
    labeled: false,
    nodeReady: true,
    bootId: BOOT_A,
    ciliumPod: { uid: 'pod-old', ready: true },
    drain: undefined,
    peerCandidates: ['10.245.1.5', '10.244.2.7'],
    ...over,
  };
}
