/**
 * One chaos run: the simulated cluster (API server, kubelets, controllers, one real agent loop per node on
 * a simulated host) in this process; the coordinator as two replicas of the real binary in their own
 * processes, SIGKILLed at random instants (a share during start-up, the rest after one leads) and started
 * again with the same or a new pod name; optional faults on the coordinator's and the agents' API requests
 * (5xx, 409, cut watches) and writes whose answer is lost. The run is judged from outside, through the API.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CoreV1Api, type V1Pod } from '@kubernetes/client-node';
import { Backoff, DEFAULT_BACKOFF } from '../../agent/loop/backoff.js';
import type { Logger } from '../../shared/logger.js';
import { MIGRATION_DEFAULT_NAME } from '../../shared/names.js';
import { seededRandom } from '../../sim/seeded-random.js';
import { startSimCluster, type SimCluster } from '../../sim/index.js';
import { AGENT_NAMESPACE, AGENT_POD_SELECTOR, AgentFleet } from '../../sim/demo/agent-fleet.js';
import { createMigration, installDeployManifests, kubeConfigWithToken, serviceAccountToken } from '../../sim/demo/install.js';
import { rolloutEnd, watchMigrations } from '../../sim/demo/migration-watch.js';
import { watchList } from '../../sim/demo/watch-cache.js';
import { CoordinatorProcesses } from './coordinator-processes.js';
import { killOnSchedule } from './kill-schedule.js';
import { LeaderGaps, type LeaderGapSummary } from './leader-gaps.js';
import { OutsideView } from './outside-view.js';

export interface ChaosOptions {
  nodes: number;
  kills: number;
  concurrency: number;
  seed: number;
  /** Share of the tool's API requests failed with a 5xx, a 409 (writes) or a cut watch. */
  apiFaults: number;
  /** Share of the tool's writes applied with their answer lost. */
  lostResponses: number;
  /** The coordinator binary (`.../coordinator/main.js`). */
  coordinatorMain: string;
  /** How long a simulated reboot keeps a node down. */
  rebootMs: number;
  /** Kills are spread over this long (the rollout's duration without kills). */
  killWindowMs: number;
  /** Cap of the agents' backoff between attempts to reach the coordinator (the agent's own default when unset). */
  agentBackoffMaxMs?: number;
  /** Where the coordinator processes' logs go (one file per pod name); not kept when unset. */
  logDir?: string;
  log: Logger;
}

export interface ChaosRun {
  nodes: number;
  migrated: number;
  kills: number;
  startupKills: number;
  faultsInjected: number;
  halted: string | null;
  violations: string[];
  wallMs: number;
  /** Kills of the leading process, and how long each left the rollout without a leader. */
  failover: LeaderGapSummary;
  /** Coordinator processes that exited on their own (each was started again). */
  coordinatorExits: string[];
}

const NS = AGENT_NAMESPACE;
const CALLERS = [`system:serviceaccount:${NS}:cni-migrate-coordinator`, `system:serviceaccount:${NS}:cni-migrate-agent`];
/** Deadlines far beyond a step's work here: a halt in this run means lost progress, not slow progress. */
const COORDINATOR_FLAGS = {
  namespace: NS,
  'lease-duration-seconds': '3',
  'drain-timeout-seconds': '120',
  'reboot-timeout-seconds': '120',
  'validate-timeout-seconds': '120',
  'token-cache-seconds': '300',
};
const CHECK_IMAGE = 'ghcr.io/nicolaka/netshoot:v0.13';
/**
 * The run gives up this much later per kill (beyond 300 s or four kill windows): a kill of the leader waits
 * for the next one to lead, so the kills can stretch the run far past the window.
 */
const GIVE_UP_AFTER_MS_PER_KILL = 15_000;

function injectFaults(sim: SimCluster, o: ChaosOptions): void {
  const faults = sim.api?.faults;
  if (faults === undefined) return;
  faults.seed(o.seed);
  for (const caller of CALLERS) {
    if (o.apiFaults > 0) {
      faults.add({ match: { caller }, rate: o.apiFaults / 3, error: 503 });
      faults.add({ match: { caller }, rate: o.apiFaults / 3, conflict: true });
      faults.add({ match: { caller, verb: 'watch' }, rate: o.apiFaults / 3, dropWatch: true });
    }
    if (o.lostResponses > 0) faults.add({ match: { caller }, rate: o.lostResponses, loseResponse: true });
  }
}

async function startAgents(sim: SimCluster, log: Logger, backoffMaxMs: number | undefined): Promise<AgentFleet> {
  const admin = sim.kubeConfig();
  const core = admin.makeApiClient(CoreV1Api);
  const pods = await watchList<V1Pod>(admin, `/api/v1/namespaces/${NS}/pods`, () => core.listNamespacedPod({ namespace: NS, labelSelector: AGENT_POD_SELECTOR }), {
    labelSelector: AGENT_POD_SELECTOR,
  });
  const names = new Set(sim.nodeNames());
  await pods.until((items) => new Set(items.map((p) => p.spec?.nodeName).filter((n) => n !== undefined && names.has(n))).size === names.size, 'an agent pod on every node', 60_000);
  const fleet = new AgentFleet({
    adminKc: admin,
    kubeConfigFor: (t) => kubeConfigWithToken(admin, t),
    sim: { bootId: (n) => sim.bootId(n), kernel: (n) => sim.kernel(n), rebootNode: (n) => sim.rebootNode(n), ciliumManaged: (n) => sim.ciliumManaged(n) },
    checkImage: CHECK_IMAGE,
    log,
    ...(backoffMaxMs === undefined ? {} : { backoff: () => new Backoff({ ...DEFAULT_BACKOFF, maxMs: backoffMaxMs }) }),
  });
  await fleet.startAll(pods.list().filter((p) => names.has(p.spec?.nodeName ?? '')));
  await pods.stop();
  return fleet;
}

export async function runChaos(o: ChaosOptions): Promise<ChaosRun> {
  const sim = await startSimCluster({ nodes: o.nodes, seed: o.seed, rebootDowntimeMs: o.rebootMs, ciliumReadyDelayMs: 200 }, o.log.child({ component: 'sim' }));
  const admin = sim.kubeConfig();
  const closers: (() => Promise<unknown>)[] = [];
  try {
    await installDeployManifests(admin, 'deploy');
    const token = await serviceAccountToken(admin, NS, 'cni-migrate-coordinator');
    const kubeconfig = path.join(mkdtempSync(path.join(tmpdir(), 'cni-migrate-chaos-')), 'kubeconfig');
    writeFileSync(kubeconfig, kubeConfigWithToken(admin, token).exportConfig(), { mode: 0o600 });
    const procs = new CoordinatorProcesses({ main: o.coordinatorMain, kubeconfig, flags: COORDINATOR_FLAGS, ...(o.logDir === undefined ? {} : { logDir: o.logDir }) });
    closers.push(() => procs.stopAll().then(() => o.log.info('coordinator processes stopped')));
    await procs.start(2);
    const fleet = await startAgents(sim, o.log.child({ component: 'agent' }), o.agentBackoffMaxMs);
    closers.push(() => fleet.stopAll().then(() => o.log.info('agents stopped')));
    const scope = new Set(sim.nodeNames());
    const view = new OutsideView(admin, scope, (n) => fleet.nodeChanged(n));
    await view.start();
    closers.push(() => view.stop());
    const migrations = await watchMigrations(admin, MIGRATION_DEFAULT_NAME);
    closers.push(() => migrations.stop());
    const gaps = new LeaderGaps(admin, NS);
    await gaps.start();
    closers.push(() => gaps.stop());
    injectFaults(sim, o);
    o.log.info({ nodes: o.nodes, kills: o.kills }, 'the rollout starts');
    const started = Date.now();
    await createMigration(
      admin,
      { concurrency: o.concurrency, autoRollback: false, includeControlPlane: true, nodeSelector: sim.nodeSelector },
      { name: MIGRATION_DEFAULT_NAME },
    );
    let ended = false;
    const killing = killOnSchedule({ kills: o.kills, killWindowMs: o.killWindowMs, random: seededRandom(o.seed + 7) }, { procs, gaps }, () => ended);
    const deadlineMs = Math.max(300_000, o.killWindowMs * 4) + o.kills * GIVE_UP_AFTER_MS_PER_KILL;
    const end = await migrations
      .until((items) => rolloutEnd(items[0]) !== undefined, 'the rollout', deadlineMs)
      .then(() => rolloutEnd(migrations.list()[0]))
      .catch((e: unknown) => ({ kind: 'halted' as const, reason: e instanceof Error ? e.message : String(e) }));
    const wallMs = Date.now() - started;
    ended = true;
    o.log.info({ wallMs, end }, 'the rollout ended');
    await killing;
    const faultsInjected = sim.api?.faults.injected() ?? 0;
    sim.api?.faults.clear();
    const violations = view.violations(o.concurrency);
    const halted = end?.kind === 'halted' ? end.reason : null;
    if (halted !== null) violations.unshift(`rollout halted: ${halted}`);
    return {
      nodes: scope.size,
      migrated: view.migrated(),
      kills: procs.kills,
      startupKills: procs.startupKills,
      faultsInjected,
      halted,
      violations,
      wallMs,
      failover: gaps.summary(),
      coordinatorExits: [...procs.exits],
    };
  } finally {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    await sim.close();
    o.log.info('the simulated cluster closed');
  }
}
