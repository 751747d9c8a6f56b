import { afterEach, describe, expect, it } from '@jest/globals';
import { silentLogger } from '../../../shared/logger.js';
import { startEngineWith } from '../../../coordinator/engine/engine.js';
import type { AgentDirectory } from '../../../coordinator/ports.js';
import { FakeAgents } from './fake-agents.js';
import { Harness, testConfig, workers } from './harness.js';
import { waitFor } from '../../support/wait-for.js';

/**
 * The phases a node records on the way (a step whose effect rides in the same patch, such as the cordon,
 * is never recorded alone: the grant goes straight to Draining with the node cordoned).
 */
const IN_FLIGHT = ['Draining', 'RestartingCilium', 'Rebooting', 'Validating'];
const ROLLING_BACK = ['RollbackRestoringCniFiles', 'RollbackRestartingCilium', 'RollbackRebooting', 'RollbackValidating'];

describe('engine: a coordinator killed at any instant resumes where it was', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  /** Restarts the engine the moment `node` enters `phase` (right after the intent is written). */
  function killWhen(harness: Harness, node: string, phase: string): { restarted: () => boolean } {
    let done = false;
    harness.cluster.onPhase = (n, p) => {
      if (done || n !== node || p !== phase) return;
      done = true;
      void harness.restartEngine();
    };
    return { restarted: () => done };
  }

  it.each(IN_FLIGHT)('when the engine is killed as a node enters %s, then every node is migrated once and rebooted once', async (phase) => {
    h = new Harness(workers(3));
    h.cluster.setMigration({ concurrency: 2 });
    const kill = killWhen(h, 'w2', phase);
    await h.startEngine();
    h.startAgents();
    await h.waitFor(() => h!.allIn('Done'), 60_000, 'all Done');
    expect(kill.restarted()).toBe(true);
    for (const n of ['w1', 'w2', 'w3']) {
      expect(h.cluster.reboots.get(n)).toBe(1);
      expect(h.cluster.doneCount.get(n)).toBe(1);
    }
    expect(h.cluster.maxInFlight).toBeLessThanOrEqual(2);
  });

  it.each(ROLLING_BACK)('when the engine is killed as a node enters %s, then the rollback finishes with exactly two reboots', async (phase) => {
    h = new Harness(workers(2));
    h.cluster.setMigration({ autoRollback: true });
    h.agents.script.failDns.add('w1');
    const kill = killWhen(h, 'w1', phase);
    await h.startEngine();
    h.startAgents();
    await h.waitFor(() => h!.cluster.phaseOf('w1') === 'RolledBack', 60_000, 'w1 RolledBack');
    expect(kill.restarted()).toBe(true);
    expect(h.cluster.reboots.get('w1')).toBe(2);
    expect(h.cluster.phaseOf('w2')).toBeUndefined();
  });

  it('when the engine is killed several times in a row during a rollout, then the rollout still completes once per node', async () => {
    h = new Harness(workers(4));
    h.cluster.setMigration({ concurrency: 3 });
    let kills = 0;
    h.cluster.onPhase = (_n, p) => {
      if (p === 'Rebooting' || p === 'Validating') {
        kills++;
        void h!.restartEngine();
      }
    };
    await h.startEngine();
    h.startAgents();
    await h.waitFor(() => h!.allIn('Done'), 60_000, 'all Done');
    expect(kills).toBeGreaterThanOrEqual(8);
    expect([...h.cluster.reboots.values()]).toEqual([1, 1, 1, 1]);
    expect([...h.cluster.doneCount.values()]).toEqual([1, 1, 1, 1]);
    expect(h.cluster.maxInFlight).toBeLessThanOrEqual(3);
  });
});

describe('engine: a new leader whose pre-flight is still reading', () => {
  let h: Harness | undefined;
  let agents: FakeAgents | undefined;
  afterEach(async () => {
    await agents?.stop();
    await h?.stop();
    h = agents = undefined;
  });

  it('when an agent polls while its node validates and pre-flight has not read the CIDRs yet, then the validation order reaches it as soon as they are known', async () => {
    h = new Harness(workers(1), testConfig({ validateTimeoutSeconds: '600' }));
    const harness = h;
    let release: (() => void) | undefined;
    harness.cluster.onPhase = (n, p) => {
      if (p !== 'Validating' || release) return;
      harness.cluster.preflightHold = new Promise<void>((r) => (release = r));
      void harness.restartEngine();
    };
    // The hold ends only once the agent's poll of the new engine is waiting, so nothing else can wake it.
    const polling = (e: AgentDirectory): AgentDirectory => ({
      ...e,
      register: (r) => e.register(r),
      heartbeat: (hb) => e.heartbeat(hb),
      result: (r) => e.result(r),
      order: (node, after, signal) => {
        const waiting = e.order(node, after, signal);
        if (release && harness.cluster.phaseOf(node) === 'Validating') setImmediate(() => release?.());
        return waiting;
      },
    });
    agents = new FakeAgents(harness.cluster, () => (harness.engine ? polling(harness.engine) : undefined));
    await harness.startEngine();
    agents.start(['w1']);
    await harness.waitFor(() => harness.cluster.phaseOf('w1') === 'Done', 60_000, 'w1 Done');
    expect(release).toBeDefined();
    expect(agents.received.filter((o) => o.kind === 'validate').length).toBeGreaterThanOrEqual(1);
  });
});

describe('engine: two replicas', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  it('when two engines run, then exactly one leads, and the other takes over when the leader stops', async () => {
    h = new Harness(workers(2));
    const a = await h.startEngine('coordinator-a');
    const b = await h.startEngine('coordinator-b');
    await h.waitFor(() => a.isLeader() || b.isLeader(), 60_000, 'a leader');
    expect(a.isLeader() && b.isLeader()).toBe(false);
    const [leader, follower] = a.isLeader() ? [a, b] : [b, a];
    h.engine = leader;
    h.startAgents();
    await h.waitFor(() => h!.cluster.phaseOf('w1') === 'Done', 60_000, 'w1 Done');
    expect(follower.snapshot().leader).toBe(false);
    await leader.stop();
    h.engine = follower;
    await waitFor('the follower to lead', () => follower.isLeader(), { timeoutMs: 60_000 });
    await h.waitFor(() => h!.allIn('Done'), 60_000, 'all Done');
    expect([...h.cluster.reboots.values()]).toEqual([1, 1]);
    expect(h.cluster.leases.get('cni-migrate-leader')?.holder).toBe(follower === a ? 'coordinator-a' : 'coordinator-b');
    expect(follower.snapshot().nodes.map((n) => n.phase)).toEqual(['Done', 'Done']);
  });
});

describe('engine: a leader cut off from the API server', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  it('when the leader cannot renew its Lease, then it steps down and the other replica takes over after the Lease expires', async () => {
    h = new Harness(workers(2));
    let cut = false;
    const ports = h.cluster.ports();
    const partitioned = {
      ...ports,
      leases: {
        get: (name: string) => (cut ? Promise.reject(new Error('connection refused')) : ports.leases.get(name)),
        list: () => (cut ? Promise.reject(new Error('connection refused')) : ports.leases.list()),
        write: (r: Parameters<typeof ports.leases.write>[0]) =>
          cut ? Promise.reject(new Error('connection refused')) : ports.leases.write(r),
      },
    };
    const a = await startEngineWith({ cluster: partitioned, config: testConfig(), log: silentLogger(), identity: 'coordinator-a' });
    await h.waitFor(() => a.isLeader(), 60_000, 'a leads');
    const b = await h.startEngine('coordinator-b');
    expect(b.isLeader()).toBe(false);
    cut = true;
    const cutAt = Date.now();
    const bothLead: boolean[] = [];
    await waitFor(
      'b to lead',
      () => {
        bothLead.push(a.isLeader() && b.isLeader());
        return b.isLeader();
      },
      { timeoutMs: 60_000, intervalMs: 10 },
    );
    expect(a.isLeader()).toBe(false);
    expect(bothLead.some((x) => x)).toBe(false);
    expect(Date.now() - cutAt).toBeGreaterThanOrEqual(1000);
    await a.stop();
  });
  it('when the leader steps down and leads again in the same process, then it still sees the Cilium pods that came meanwhile and the rollout completes', async () => {
    h = new Harness(workers(2));
    let cut = false;
    const ports = h.cluster.ports();
    const refused = (): Promise<never> => Promise.reject(new Error('connection refused'));
    const partitioned = {
      ...ports,
      leases: {
        get: (name: string) => (cut ? refused() : ports.leases.get(name)),
        list: () => (cut ? refused() : ports.leases.list()),
        write: (r: Parameters<typeof ports.leases.write>[0]) => (cut ? refused() : ports.leases.write(r)),
      },
    };
    const a = await startEngineWith({ cluster: partitioned, config: testConfig(), log: silentLogger(), identity: 'coordinator-a' });
    h.engine = a;
    try {
      await h.waitFor(() => a.isLeader(), 60_000, 'a leads');
      cut = true;
      await waitFor('a to step down', () => !a.isLeader(), { timeoutMs: 60_000 });
      cut = false;
      await waitFor('a to lead again', () => a.isLeader(), { timeoutMs: 60_000 });
      h.cluster.setMigration({ concurrency: 1 });
      h.startAgents();
      await h.waitFor(() => h!.allIn('Done'), 60_000, 'all Done');
    } finally {
      await a.stop();
    }
  });
});

describe('engine: a new leader whose read of the grant Leases fails once', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  it('when the list of the slot Leases answers 503 once as it starts leading, then it reads them again and leads on without giving up the leader Lease', async () => {
    h = new Harness(workers(2));
    h.cluster.setMigration({ concurrency: 1 });
    h.cluster.leaseListFailures = 1;
    await h.startEngine();
    h.startAgents();
    await h.waitFor(() => h!.allIn('Done'), 60_000, 'all Done');
    expect(h.cluster.leaseListFailures).toBe(0);
    expect(h.cluster.leaderReleases).toBe(0);
  });
});

