/**
 * The API request budget of a migrated node, by verb and resource: a change that makes the coordinator or
 * the agents ask the API server more often per node fails here. The budgets are per migrated node, the
 * coordinator's and the agents' requests together, on a small cluster, so start-up's one-off reads (the
 * pre-flight's, the watches' first lists) are spread over few nodes: they have a budget of their own.
 */
import { describe, expect, it } from '@jest/globals';
import { expectOk, runRollout } from './support.js';

/** Requests per migrated node, by `verb resource[/subresource]`, that each node's migration costs. */
const PER_NODE_BUDGET: Record<string, number> = {
  // One patch per step (intent and effect together; the validation result with its transition).
  'patch nodes': 6,
  // One write per grant (a hand-off writes the next holder over the finished one), and the leader's renewals.
  'update leases': 1.25,
  // An Event on the grant and on done.
  'create events': 2,
  // The drain's watch of the node's pods, the agent's Cilium pod watch (again after its reboot) and check pod watch.
  'watch pods': 5,
  // The drain's list of the node's pods.
  'list pods': 2,
  // The node's Cilium pod, and the agent's check pod.
  'delete pods': 2,
  'create pods': 1,
  // Authenticating each agent once, and the pod its token is bound to; and the node's zero-downtime probe pod,
  // before its node's reboot and again after it (the kubelet issues the restarted pod a new token).
  'create tokenreviews': 3,
  'get pods': 3,
  // Where the coordinator is (each agent on start and after its reboot), read or watched.
  'get leases': 2.25,
  'watch leases': 2.25,
  // The demo's workload pods, each evicted once.
  'create pods/eviction': 2.5,
  // At most one status write a second (only when it changed): on a loaded machine a node may take seconds.
  'patch migrations/status': 2.5,
};
/** Everything else, summed: start-up's one-off reads (pre-flight, the watches' first lists) spread over the nodes. */
const ONE_OFF_BUDGET = 5;

describe('API request budget per migrated node', () => {
  it('when 8 nodes are migrated two at a time, then each verb stays within its budget per node', async () => {
    // A long leader Lease: its renewals (one per third of the duration) scale with the run's time, not its nodes.
    const { summary, ok } = await runRollout({ nodes: 8, concurrency: 2 }, { coordinator: { leaseDurationSeconds: 60 } });
    expectOk({ ok, summary });
    const byVerb = summary.requestsByVerb ?? {};
    expect(Object.keys(byVerb).length).toBeGreaterThan(0);
    const over = Object.entries(PER_NODE_BUDGET).filter(([verb, budget]) => (byVerb[verb] ?? 0) > budget);
    expect(over.map(([verb, budget]) => `${verb}: ${byVerb[verb]} > ${budget}`)).toEqual([]);
    const oneOff = Object.entries(byVerb).filter(([verb]) => PER_NODE_BUDGET[verb] === undefined);
    expect(oneOff.reduce((n, [, count]) => n + count, 0)).toBeLessThanOrEqual(ONE_OFF_BUDGET);
  });
});
