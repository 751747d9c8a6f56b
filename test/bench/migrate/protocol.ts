/**
 * The messages between `bench:migrate`'s three processes: the driver, the simulated cluster (API server,
 * kubelets, controllers and every agent) and the coordinator (the real binary), which runs alone so its
 * memory and CPU are its own.
 */
import type { RequestCount } from '../../../sim/apiserver/index.js';
import type { Percentiles } from '../../../sim/demo/measure.js';

export interface RunSpec {
  nodes: number;
  concurrency: number;
  deployDir: string;
  /** How long the rollout may take before the run ends with what it migrated (halted: the deadline). */
  rolloutDeadlineMs: number;
}

/** Sim → driver: the cluster is up; the coordinator may connect with this server and token. */
export interface ClusterReady {
  kind: 'cluster-ready';
  server: string;
  coordinatorToken: string;
}

/** Sim → driver: the rollout ended (or its deadline passed). */
export interface RolloutDone {
  kind: 'rollout-done';
  nodes: number;
  migrated: number;
  halted: string | null;
  wallMs: number;
  /** null when no node was handed off. */
  handoffMs: Percentiles | null;
  evictedPods: number;
  /** Every request the API server served during the rollout, by caller, verb and resource. */
  requests: RequestCount[];
  /** Mean time nodes spent in each phase. */
  phaseMs: Record<string, number>;
  /** Requests per second the API server served during the rollout (every caller: kubelets too). */
  apiServerRequestsPerSec: number;
  /** CPU time the simulated cluster's process (API server, kubelets, controllers, agents) spent during the rollout. */
  simCpuMs: number;
}

/** Coordinator → driver: its resource use so far. */
export interface CoordinatorUsage {
  kind: 'usage';
  peakRssMiB: number;
  /** The V8 heap in use and the memory outside it (Buffers) when asked, to tell a large heap from allocator slack. */
  heapUsedMiB: number;
  externalMiB: number;
  cpuMs: number;
}

export type ToDriver = ClusterReady | RolloutDone | CoordinatorUsage | { kind: 'failed'; message: string };

export type ToSim = { kind: 'start'; spec: RunSpec } | { kind: 'rollout' } | { kind: 'stop' };
/** Driver → the coordinator's process (its usage probe; the binary itself is stopped with SIGTERM, as in a pod). */
export type ToCoordinator = { kind: 'usage' };
