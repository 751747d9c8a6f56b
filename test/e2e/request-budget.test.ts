/**
 * The API request budget of a migrated node, by verb and resource: a change that makes the coordinator or
 * the agents ask the API server more often per node fails here. The budgets are per migrated node, the
 * coordinator's and the agents' requests together, on a small cluster, so start-up's one-off reads (the
 * pre-flight's, the watches' first lists) are spread over few nodes: they have a budget of their own.
 * Requests that scale with the run's wall time, not its nodes (the leader's Lease renewals, the status writes
 * of at most one a second) are counted apart, against a budget per second: a loaded machine stretches a run,
 * and that must not move a per-node count.
 * In all, one more migrated node costs at most 20 requests (PER_NODE_TOTAL_MAX): measured as the difference between
 * a run of 8 nodes and one of 16, both two at a time, so what does not grow with the nodes (start-up's reads, the
 * coordinator's own watches, the validation peers' anchor watches, the slot Leases' creation) cancels out, as it
 * does at any size. A token's review is remembered far longer than either run lasts, so a loaded machine's longer
 * run does not review the same tokens again (a time-proportional cost, as the Lease renewals).
 */
import { beforeAll, describe, expect, it } from '@jest/globals';
import { LEADER_LEASE_NAME } from '../../shared/names.js';
import type { ApiCallRecord } from '../../sim/apiserver/index.js';
import { AGENT_SERVICE_ACCOUNT } from '../../sim/demo/agent-fleet.js';
import { expectOk, runRollout } from './support.js';

/** Requests per migrated node, by `verb resource[/subresource]`, that each node's migration costs. */
const PER_NODE_BUDGET: Record<string, number> = {
  // One patch per recorded phase (intent and effect together; the validation result with its transition): Draining,
  // RestartingCilium, Rebooting, Validating, Done. A rebooted node waits to be Ready still recorded as Rebooting (its
  // deadline runs from that phase's start). Also held per node below (NODE_PATCHES_MAX).
  'patch nodes': 5,
  // Slot Leases: one write per grant (a hand-off writes the next holder over the finished one), and at most one
  // release per grant: a slot the next node cannot take at once (held until the evicted workload is ready again,
  // which takes the time it takes) is released, the next grant writes it again. So 1 to 2 per node, and one more
  // write per grant (e.g. a renewal) exceeds 2 whatever the releases. The leader Lease's writes are
  // time-proportional: counted apart (LEADER_WRITES_PER_SECOND).
  'update leases': 2,
  // An Event on the grant and on done.
  'create events': 2,
  // The agent's watch of its check pod, and the drain's watch of the node's pods (only when it evicted a pod); and, not
  // per node, the coordinator's watches of the Cilium pods, of its namespace's pods (the gate's placements) and of the
  // validation peers' anchor nodes. The agent does not watch its Cilium pod: the coordinator's watch decides.
  'watch pods': 3.25,
  // The drain's list of the node's pods; and, not per node, the first lists of the anchor nodes' watches.
  'list pods': 2,
  // The node's Cilium pod, and the agent's check pod.
  'delete pods': 2,
  'create pods': 1,
  // Authenticating each agent and the node's zero-downtime probe pod, each before its node's reboot and again after
  // it (the kubelet's token manager is in memory: it issues the restarted pods new tokens). Where a token's pod runs
  // comes from the gate's watch of its namespace's pods; only a pod that watch has not shown yet is read (none in a
  // quiet run).
  'create tokenreviews': 4,
  'get pods': 0.25,
  // Where the coordinator is: the leader Lease, watched by each agent on start and after its reboot.
  'watch leases': 2.25,
  // The demo's workload pods, each evicted once.
  'create pods/eviction': 2.5,
};
/** Time-proportional requests, left out of the per-node budgets: `verb resource` → the most per second of the run. */
const LEASE_DURATION_SECONDS = 60;
// The leader renews once a third of its Lease's duration (its create on acquiring is a one-off read as such); releasing it adds one write.
const LEADER_WRITES_PER_SECOND = 3 / LEASE_DURATION_SECONDS;
const LEADER_ONE_OFF_WRITES = 2;
// At most one status write a second (only when it changed), plus the last one.
const STATUS_WRITES_PER_SECOND = 1;
const STATUS_ONE_OFF_WRITES = 1;
const MIGRATED = 8;
/** The most patches of one Node (its recorded phases); one extra patch on any step of any node fails. */
const NODE_PATCHES_MAX = 5;

const isLeaderWrite = (c: ApiCallRecord): boolean => c.allowed && c.resource === 'leases' && c.name === LEADER_LEASE_NAME && ['update', 'create', 'patch'].includes(c.verb);
const leaderWrites = (calls: readonly ApiCallRecord[]): number => calls.filter(isLeaderWrite).reduce((n, c) => n + c.count, 0);
/** Everything else, summed: start-up's one-off reads (pre-flight, the watches' first lists) spread over the nodes. */
const ONE_OFF_BUDGET = 5;

/** The most requests one more migrated node may cost, the coordinator's and its agent's together. */
const PER_NODE_TOTAL_MAX = 20;
const TOOL_CALLERS = [':cni-migrate-coordinator', ':cni-migrate-agent'];
const isStatusWrite = (c: ApiCallRecord): boolean => c.verb === 'patch' && c.resource === 'migrations' && c.subresource === 'status';

/**
 * The coordinator's and the agents' requests of a run, without the evictions (they scale with the pods) and the
 * time-proportional writes (the leader Lease's, the Migration status's): what the run's nodes cost.
 */
const nodeRequests = (calls: readonly ApiCallRecord[]): number =>
  calls
    .filter((c) => TOOL_CALLERS.some((t) => c.caller.endsWith(t)) && c.subresource !== 'eviction' && !isLeaderWrite(c) && !isStatusWrite(c))
    .reduce((n, c) => n + c.count, 0);

interface MeasuredRun {
  summary: Awaited<ReturnType<typeof runRollout>>['summary'];
  apiCalls: readonly ApiCallRecord[];
  wallSeconds: number;
}

async function measuredRollout(nodes: number): Promise<MeasuredRun> {
  const started = performance.now();
  const { summary, ok, apiCalls } = await runRollout(
    { nodes, concurrency: 2 },
    {
      coordinator: {
        leaseDurationSeconds: LEASE_DURATION_SECONDS,
        tokenCacheSeconds: 600,
        // A step's order delivery is written to its Node only when the step still waits half its deadline: long
        // deadlines keep that (time-proportional) patch out of a loaded run, so `patch nodes` counts steps only.
        drainTimeoutSeconds: 3600,
        rebootTimeoutSeconds: 3600,
        validateTimeoutSeconds: 3600,
      },
    },
  );
  expectOk({ ok, summary });
  return { summary, apiCalls: apiCalls ?? [], wallSeconds: (performance.now() - started) / 1000 };
}

describe('API request budget per migrated node', () => {
  let small: MeasuredRun;
  beforeAll(async () => {
    small = await measuredRollout(MIGRATED);
  });

  it('when 8 nodes are migrated two at a time, then each verb stays within its budget per node, and the time-proportional writes within theirs per second', () => {
    const { summary, apiCalls, wallSeconds } = small;
    const byVerb = { ...(summary.requestsByVerb ?? {}) };
    expect(Object.keys(byVerb).length).toBeGreaterThan(0);
    const leader = leaderWrites(apiCalls);
    expect(leader).toBeLessThanOrEqual(wallSeconds * LEADER_WRITES_PER_SECOND + LEADER_ONE_OFF_WRITES);
    const statusWrites = Math.round((byVerb['patch migrations/status'] ?? 0) * MIGRATED);
    expect(statusWrites).toBeGreaterThan(0);
    expect(statusWrites).toBeLessThanOrEqual(wallSeconds * STATUS_WRITES_PER_SECOND + STATUS_ONE_OFF_WRITES);
    delete byVerb['patch migrations/status'];
    const leaseUpdates = Math.round((byVerb['update leases'] ?? 0) * MIGRATED);
    byVerb['update leases'] = (leaseUpdates - leaderWrites(apiCalls.filter((c) => c.verb === 'update'))) / MIGRATED;
    const nodePatches = apiCalls.filter((c) => c.caller.endsWith(':cni-migrate-coordinator') && c.verb === 'patch' && c.resource === 'nodes' && c.subresource === undefined);
    expect(new Set(nodePatches.map((c) => c.name)).size).toBe(MIGRATED);
    expect(nodePatches.filter((c) => c.count > NODE_PATCHES_MAX).map((c) => `${c.name ?? ''}: ${c.count}`)).toEqual([]);
    const over = Object.entries(PER_NODE_BUDGET).filter(([verb, budget]) => (byVerb[verb] ?? 0) > budget);
    expect(over.map(([verb, budget]) => `${verb}: ${byVerb[verb]} > ${budget}`)).toEqual([]);
    // The simulated kubelet is as strict as a real one: each agent pod has new tokens (for the coordinator and the API) after its node's reboot.
    const agentTokens = apiCalls.filter((c) => c.verb === 'create' && c.resource === 'serviceaccounts' && c.subresource === 'token' && c.name === AGENT_SERVICE_ACCOUNT);
    expect(agentTokens.reduce((n, c) => n + c.count, 0)).toBeGreaterThanOrEqual(2 * 2 * MIGRATED);
    const oneOff = Object.entries(byVerb).filter(([verb]) => PER_NODE_BUDGET[verb] === undefined);
    expect(oneOff.reduce((n, [, count]) => n + count, 0)).toBeLessThanOrEqual(ONE_OFF_BUDGET);
  });

  it('when 8 more nodes are migrated (16, two at a time), then each more node costs at most 20 requests', async () => {
    const large = await measuredRollout(2 * MIGRATED);
    const perNode = (nodeRequests(large.apiCalls) - nodeRequests(small.apiCalls)) / MIGRATED;
    expect(perNode).toBeGreaterThan(0);
    expect(perNode).toBeLessThanOrEqual(PER_NODE_TOTAL_MAX);
  });
});
