import { afterEach, describe, expect, it } from '@jest/globals';
import { silentLogger } from '../../../shared/logger.js';
import { LEADER_LEASE_NAME, slotLeaseName } from '../../../shared/names.js';
import type { Cluster } from '../../../coordinator/engine/cluster.js';
import { startEngineWith, type Engine } from '../../../coordinator/engine/engine.js';
import { FakeAgents } from './fake-agents.js';
import { FakeCluster } from './fake-cluster.js';
import { testConfig, waitForChange, workers } from './harness.js';

/** The cluster as one engine sees it, counting that engine's writes to the API. */
function countingWrites(c: Cluster): { cluster: Cluster; writes: () => number } {
  let n = 0;
  const counted = <A extends unknown[], R>(f: (...a: A) => Promise<R>) => (...a: A): Promise<R> => {
    n += 1;
    return f(...a);
  };
  return {
    writes: () => n,
    cluster: {
      ...c,
      nodes: { namesMatching: (s) => c.nodes.namesMatching(s), patch: counted((name, p) => c.nodes.patch(name, p)) },
      pods: {
        listNodePods: (node) => c.pods.listNodePods(node),
        watchNodePods: (node, from) => c.pods.watchNodePods(node, from),
        runningPods: () => c.pods.runningPods(),
        evict: counted((ref) => c.pods.evict(ref)),
        deleteIfUid: counted((ref, uid) => c.pods.deleteIfUid(ref, uid)),
      },
      leases: { get: (name) => c.leases.get(name), list: () => c.leases.list(), write: counted((l) => c.leases.write(l)) },
      events: { emit: counted((e) => c.events.emit(e)) },
      migration: {
        get: () => c.migration.get(),
        patchStatus: counted((s) => c.migration.patchStatus(s)),
        patchSpec: counted((s) => c.migration.patchSpec(s)),
      },
    },
  };
}


describe('engine: crash() dies like a killed process', () => {
  const engines: Engine[] = [];
  let agents: FakeAgents | undefined;
  afterEach(async () => {
    await agents?.stop();
    await Promise.all(engines.splice(0).map((e) => e.stop()));
  });

  async function start(fake: FakeCluster, cluster: Cluster, identity: string): Promise<Engine> {
    const e = await startEngineWith({ cluster, config: testConfig(), log: silentLogger(), identity });
    engines.push(e);
    return e;
  }

  it('when the engine crashes mid-drain, then it writes nothing more, keeps its Leases, and a new engine finishes each node once', async () => {
    const fake = new FakeCluster(workers(2));
    fake.blockedEvictions.add('web-w1');
    let current: Engine | undefined;
    agents = new FakeAgents(fake, () => current);
    const old = countingWrites(fake.ports());
    current = await start(fake, old.cluster, 'coordinator-old');
    agents.start(['w1', 'w2']);
    await waitForChange(fake, () => fake.phaseOf('w1') === 'Draining', 60_000, 'w1 Draining');
    current.crash();
    const writesAtCrash = old.writes();
    expect(fake.leases.get(LEADER_LEASE_NAME)?.holder).toBe('coordinator-old');
    expect(fake.leases.get(slotLeaseName(0))?.holder).toBe('w1');
    expect(current.isLeader()).toBe(false);

    current = await start(fake, fake.ports(), 'coordinator-new');
    fake.blockedEvictions.delete('web-w1');
    await waitForChange(fake, () => fake.phaseOf('w1') === 'Done' && fake.phaseOf('w2') === 'Done', 60_000, 'all Done');

    expect(old.writes()).toBe(writesAtCrash);
    expect(fake.leases.get(LEADER_LEASE_NAME)?.holder).toBe('coordinator-new');
    for (const n of ['w1', 'w2']) {
      expect(fake.reboots.get(n)).toBe(1);
      expect(fake.doneCount.get(n)).toBe(1);
    }
    expect(fake.maxInFlight).toBe(1);
  });

  it('when a crashed engine is asked for an order or sent a result, then it hands out none and records nothing', async () => {
    const fake = new FakeCluster(workers(1));
    const old = countingWrites(fake.ports());
    const engine = await start(fake, old.cluster, 'coordinator-old');
    engine.crash();
    const writes = old.writes();
    const never = new AbortController();
    expect(await engine.order('w1', undefined, never.signal)).toBeNull();
    const result = { nodeName: 'w1', podName: 'agent-w1', bootId: fake.bootIdOf('w1'), orderId: 'w1.1.Rebooting', outcome: 'succeeded' as const, message: '' };
    await expect(engine.result(result)).rejects.toMatchObject({ code: 'Conflict' });
    expect(old.writes()).toBe(writes);
  });
});
