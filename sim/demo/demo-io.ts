/** What the demo takes from its caller (where to print, test hooks) and what it returns. */
import type { V1Pod } from '@kubernetes/client-node';
import { CniMigrateError } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';
import type { ApiCallRecord, RequestCount } from '../apiserver/index.js';
import type { DemoSummary } from './summary.js';
import type { FullRunSummary } from './full-run.js';
import type { SimNodeHost } from '../host/sim-node-host.js';
import type { DemoNodeHost } from './agent-fleet.js';

export interface DemoIo {
  out: NodeJS.WritableStream;
  tty: boolean;
  log: Logger;
  deployDir: string;
  /** Extra coordinator config keys (tests shorten deadlines). */
  coordinator?: Record<string, unknown>;
  replicas?: number;
  /** Each coordinator replica in its own thread, as each runs in its own pod (needs the built files: the command line). */
  coordinatorThreads?: boolean;
  /** The agents in their own thread, as they run on their own nodes (needs the built files: the command line). */
  clusterThreads?: boolean;
  autoRollback?: boolean;
  /** How long the rollout may take before the run gives up (default: 120 s, or 3 s per node if more). */
  rolloutDeadlineMs?: number;
  /** Called once the rollout ended, before anything stops (tests look at the leader's dashboard here). */
  beforeClose?(info: { dashboardUrl: string }): Promise<void>;
  /** Aborting it (Ctrl-C) ends the run; with --kubeconfig, what it created is removed first. */
  signal?: AbortSignal;
  /** Called the first time each node is seen in each phase (tests kill agents or coordinators here). */
  onNodePhase?(node: string, phase: string, controls: DemoControls): void;
  /** Called on every change of an addressed pod in the tool's namespace (tests read the check pods here). */
  onAgentNamespacePod?(pod: V1Pod): void;
  /** The agent's host on each node (default: the simulated host; tests run the real host code in a network namespace). */
  nodeHost?: (sim: SimNodeHost) => DemoNodeHost;
  /** `--full`: called the first time each stage step (`Stage/Step`) is seen in the Migration status. */
  onStageStep?(step: string, controls: DemoControls): void;
}

/** What a test may break while the rollout runs. */
export interface DemoControls {
  killAgent(node: string, revive: boolean): Promise<void>;
  restartCoordinator(replica: number): Promise<void>;
  /** Kill replica `replica` (as SIGKILL would) and start a fresh one with a new identity at once. */
  crashCoordinator(replica: number): Promise<void>;
  leaderIndex(): number;
}

export interface DemoResult {
  summary: DemoSummary;
  /** `--full`: the stages after the rollout. */
  full?: FullRunSummary;
  /** Every node migrated, or (failure scenario) the rollout halted as it should. */
  ok: boolean;
  /** How many times a coordinator replica was killed and started again. */
  coordinatorRestarts: number;
  /** The coordinator's and the agents' API requests by verb and resource (embedded sim only). */
  apiRequests: RequestCount[] | undefined;
  /** Every distinct API call by caller, with RBAC's verdict (embedded sim only). */
  apiCalls: ApiCallRecord[] | undefined;
}

/** Why a run stopped early: Ctrl-C or SIGTERM (the demo's main exits 130 after cleaning up). */
export class DemoInterrupted extends CniMigrateError {
  constructor(signal: string) {
    super('Internal', `interrupted by ${signal}`);
  }
}
