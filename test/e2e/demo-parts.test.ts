/** The demo's pure parts: flags, measurements from node events, request accounting, the table. */
import { describe, expect, it } from '@jest/globals';
import type { V1Node, V1Pod, V1PodDisruptionBudget } from '@kubernetes/client-node';
import { buildRolloutView } from '../../coordinator/view/rollout-view.js';
import { ConfigError } from '../../shared/errors.js';
import { NodeAnnotation } from '../../shared/names.js';
import { renderTable } from '../../sim/demo/live-view.js';
import { percentile, RolloutObserver } from '../../sim/demo/measure.js';
import { parseDemoOptions } from '../../sim/demo/options.js';
import { firstReportDelayMs } from '../../sim/demo/probe-fleet.js';
import { applyLocationChanges, locationChanges } from '../../sim/demo/probe-thread.js';
import { seededRandom } from '../../sim/seeded-random.js';
import { pickVictim, planScenario } from '../../sim/demo/scenario.js';
import { apiRequestsPerNode, renderSummary } from '../../sim/demo/summary.js';

const node = (name: string, opts: { unschedulable?: boolean; bootId?: string; phase?: string }): V1Node => ({
  metadata: { name, annotations: opts.phase ? { [NodeAnnotation.phase]: opts.phase } : {} },
  spec: { unschedulable: opts.unschedulable ?? false },
  status: { nodeInfo: { bootID: opts.bootId ?? 'b0' } as NonNullable<V1Node['status']>['nodeInfo'] },
});

describe('demo flags', () => {
  it('when no flags are given, then the defaults are 6 nodes, concurrency 1, happy', () => {
    expect(parseDemoOptions({})).toMatchObject({ nodes: 6, concurrency: 1, scenario: 'happy', json: false });
  });
  it.each([
    [{ nodes: '1' }, '--nodes'],
    [{ nodes: 'many' }, '--nodes'],
    [{ concurrency: '0' }, '--concurrency'],
    [{ scenario: 'meteor' }, '--scenario'],
    [{ surprise: true }, '--(flags)'],
    [{ then: 'retry' }, '--then'],
    [{ then: 'rollback', scenario: 'pdb-blocked' }, '--then'],
  ])('when the flags are %j, then a ConfigError names %s', (flags, named) => {
    expect(() => parseDemoOptions(flags)).toThrow(ConfigError);
    expect(() => parseDemoOptions(flags)).toThrow(named);
  });
});

describe('rollout measurements from node events', () => {
  it('when nodes are cordoned one after another, then in-flight, hand-offs and reboots are counted', () => {
    const o = new RolloutObserver();
    o.observe(node('a', {}), 0);
    o.observe(node('b', {}), 0);
    o.observe(node('c', { unschedulable: true }), 0);
    o.observe(node('a', { unschedulable: true, phase: 'Cordoning' }), 10);
    o.observe(node('a', { unschedulable: true, bootId: 'b1', phase: 'WaitingReady' }), 50);
    o.observe(node('a', { bootId: 'b1', phase: 'Done' }), 100);
    o.observe(node('b', { unschedulable: true, phase: 'Cordoning' }), 130);
    o.observe(node('b', { bootId: 'b2', phase: 'Done' }), 200);
    expect(o.maxInFlight).toBe(1);
    expect(o.maxRebootsPerNode()).toBe(1);
    expect(o.handoffMs()).toEqual({ p50: 30, p99: 30 });
  });

  it('when two nodes are cordoned together, then in-flight is 2; a node cordoned before the tool does not count', () => {
    const o = new RolloutObserver();
    o.observe(node('x', { unschedulable: true }), 0);
    o.observe(node('a', {}), 0);
    o.observe(node('b', {}), 0);
    o.observe(node('a', { unschedulable: true }), 1);
    o.observe(node('b', { unschedulable: true }), 2);
    expect(o.maxInFlight).toBe(2);
  });

  it.each([
    [[], 50, 0],
    [[5], 99, 5],
    [[1, 2, 3, 4], 50, 2],
    [[1, 2, 3, 100], 99, 100],
  ])('when the samples are %j, then p%i is %i', (values, p, expected) => {
    expect(percentile(values, p)).toBe(expected);
  });
});

describe("the probe pods' thread's copy of the pod network", () => {
  it('when pods come, go and their nodes reboot, then only what changed is sent and the copy matches', () => {
    const at = (node: string, nodeUp = true) => ({ node, cni: 'calico' as const, nodeUp, networkBroken: false });
    const before = new Map([['10.0.0.1', at('a')], ['10.0.0.2', at('b')], ['10.0.0.3', at('c')]]);
    const now = new Map([['10.0.0.1', at('a')], ['10.0.0.2', at('b', false)], ['10.0.0.4', at('d')]]);
    const changes = locationChanges(before, now);
    expect(changes).toEqual({ set: [['10.0.0.2', 'b', 'calico', false, false], ['10.0.0.4', 'd', 'calico', true, false]], removed: ['10.0.0.3'] });
    const copy = new Map(before);
    applyLocationChanges(copy, changes);
    expect(copy).toEqual(now);
    expect(locationChanges(now, new Map(now))).toEqual({ set: [], removed: [] });
  });
});

describe("the simulated probe pods' report schedule", () => {
  it('when a thousand pods are seen in the same instant, then their first reports fall across the whole period, about as many in each tenth, the same for the same seed', () => {
    const every = 1000;
    const delays = (seed: number): number[] => {
      const random = seededRandom(seed);
      return Array.from({ length: 1000 }, () => firstReportDelayMs(random, every));
    };
    const d = delays(7);
    expect(Math.min(...d)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...d)).toBeLessThan(every);
    const perTenth = Array.from({ length: 10 }, (_, i) => d.filter((x) => Math.floor(x / 100) === i).length);
    // 100 expected in each tenth; all in one instant (the old schedule) would put 1,000 in one.
    for (const n of perTenth) expect(n).toBeGreaterThan(60);
    for (const n of perTenth) expect(n).toBeLessThan(140);
    expect(delays(7)).toEqual(d);
    expect(delays(8)).not.toEqual(d);
  });
});

describe('API requests per migrated node', () => {
  const counts = [
    { verb: 'list', resource: 'nodes', caller: 'system:serviceaccount:cni-migrate:cni-migrate-coordinator', count: 10 },
    { verb: 'create', resource: 'pods', subresource: 'eviction', caller: 'system:serviceaccount:cni-migrate:cni-migrate-coordinator', count: 7 },
    { verb: 'get', resource: 'leases', caller: 'system:serviceaccount:cni-migrate:cni-migrate-agent', count: 3 },
    { verb: 'patch', resource: 'pods', caller: 'kubernetes-admin', count: 1000 },
  ];
  it('when pods were evicted, then one eviction per pod is not counted and the simulation itself is ignored', () => {
    expect(apiRequestsPerNode(counts, 5, 2)).toBe(7.5);
  });
  it('when nothing was migrated or there is no accounting, then null', () => {
    expect(apiRequestsPerNode(counts, 5, 0)).toBeNull();
    expect(apiRequestsPerNode(undefined, 5, 2)).toBeNull();
  });
});

describe('scenarios and the live table', () => {
  it('when a failure scenario runs, then it expects a halt and breaks the first worker', () => {
    expect(planScenario('dns-broken-on-node')).toMatchObject({ expectHalt: true, victimFaults: { dnsBroken: true } });
    expect(planScenario('happy').expectHalt).toBe(false);
    expect(pickVictim(['sim-cp-1', 'sim-worker-2', 'sim-worker-1'])).toBe('sim-worker-1');
  });
  it('when the table is rendered, then it shows the grant, the drain blocked by a PDB, the halt command and the nodes in natural order', () => {
    const nodeWith = (name: string, annotations: Record<string, string>): V1Node => ({ metadata: { name, annotations }, spec: { unschedulable: annotations[NodeAnnotation.phase] !== undefined } });
    const pod: V1Pod = { metadata: { name: 'web-1', namespace: 'demo', labels: { app: 'web' }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: 'u', controller: true }] }, spec: { nodeName: 'sim-worker-1', containers: [] } };
    const pdb: V1PodDisruptionBudget = { metadata: { name: 'sim-never-allows-web', namespace: 'demo' }, spec: { selector: { matchLabels: { app: 'web' } } }, status: { disruptionsAllowed: 0, currentHealthy: 1, desiredHealthy: 1, expectedPods: 1 } };
    const view = buildRolloutView({
      migration: { spec: {}, status: { phase: 'Running' } },
      nodes: [
        nodeWith('sim-worker-10', {}),
        nodeWith('sim-worker-2', { [NodeAnnotation.phase]: 'Halted', [NodeAnnotation.haltReason]: 'dns failed', [NodeAnnotation.failedPhase]: 'Validating' }),
        nodeWith('sim-worker-1', { [NodeAnnotation.phase]: 'Draining', [NodeAnnotation.phaseSince]: new Date(Date.now() - 8000).toISOString() }),
      ],
      podsOn: (n) => (n === 'sim-worker-1' ? [pod] : []),
      pdbs: [pdb],
      now: new Date(),
    });
    const lines = renderTable({ elapsedMs: 1500, scenario: 'pdb-blocked', leader: 'c-0', grants: [{ slot: 0, node: 'sim-worker-1' }], view });
    expect(lines[1]).toContain('slot 0: sim-worker-1');
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}sim-worker-1\s+Draining\s+[89]s\s+1 pod left \(demo\/web-1\); blocked by PodDisruptionBudget demo\/sim-never-allows-web$/));
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}cni-migrate retry sim-worker-2 +# run Validating again on sim-worker-2$/));
    expect(lines.filter((l) => /^sim-worker-\d+\s+[A-Z]/.test(l)).map((l) => l.split(/\s+/)[0])).toEqual(['sim-worker-1', 'sim-worker-2', 'sim-worker-10']);
  });

  it('when the summary of a halted scenario is rendered, then it ends with the commands that continue', () => {
    const lines = renderSummary({
      scenario: 'pdb-blocked', ok: true, nodes: 4, migrated: 0, failed: 1, then: null,
      halted: { node: 'sim-worker-1', step: 'Draining', reason: 'drain deadline passed: eviction of pod demo/web-1 blocked by PodDisruptionBudget demo/sim-never-allows-web', next: [] },
      maxInFlight: 1, maxRebootsPerNode: 0, handoffMs: null, apiRequestsPerNode: null, requestsByVerb: null, wallMs: 9000, probe: null,
    });
    expect(lines[0]).toBe('scenario pdb-blocked: the rollout halted (as expected)');
    expect(lines.filter((l) => l !== '').at(-1)).toBe('In this demo, `npm run demo -- --scenario pdb-blocked --then retry` lifts the fault and retries.');
    expect(lines).toContain('zero-downtime probe: not measured (no probe report reached the coordinator)');
    expect(lines).toContain('sim-worker-1 is left cordoned and no other node starts until it is resolved. Let the blocked pods go first (relax the PodDisruptionBudget or add replicas elsewhere), then retry.');
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}cni-migrate retry sim-worker-1 +# run Draining again on sim-worker-1$/));
    expect(lines).toContain('In this demo, `npm run demo -- --scenario pdb-blocked --then retry` lifts the fault and retries.');
    expect(lines).toContain('hand-off (node done -> next cordoned): not measured (no node was handed off)');
  });
});
