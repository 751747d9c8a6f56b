import { describe, expect, it } from '@jest/globals';
import { withCachedProbes } from '../../../agent/host/cached-probes.js';
import type { CleanupReport, NodeHost } from '../../../agent/host/node-host.js';

function countingHost(): { host: NodeHost; calls: Record<string, number>; state: { leftovers: boolean } } {
  const calls: Record<string, number> = { leftovers: 0, backends: 0, cleanup: 0 };
  const state = { leftovers: true };
  const report: CleanupReport = { dryRun: false, removed: {}, leftover: 0, leftByKind: {}, durationMs: 1, notes: [] };
  const host: NodeHost = {
    bootId: () => Promise.resolve('b'),
    kernel: () => Promise.resolve('k'),
    reboot: () => Promise.resolve(),
    restoreCniFiles: () => Promise.resolve({ removedCiliumConf: false, restored: [] }),
    cleanup: () => {
      calls.cleanup = (calls.cleanup ?? 0) + 1;
      state.leftovers = false;
      return Promise.resolve(report);
    },
    iptablesBackends: () => {
      calls.backends = (calls.backends ?? 0) + 1;
      return Promise.resolve(['legacy']);
    },
    calicoLeftovers: () => {
      calls.leftovers = (calls.leftovers ?? 0) + 1;
      return Promise.resolve(state.leftovers);
    },
  };
  return { host, calls, state };
}

describe('heartbeat probes are cached', () => {
  it('when heartbeats ask again within the cache time, then the node is inventoried once', async () => {
    let t = 0;
    const { host, calls } = countingHost();
    const cached = withCachedProbes(host, 1000, () => t);
    for (let i = 0; i < 5; i++) {
      expect(await cached.calicoLeftovers()).toBe(true);
      expect(await cached.iptablesBackends()).toEqual(['legacy']);
      t += 100;
    }
    expect(calls).toMatchObject({ leftovers: 1, backends: 1 });
    t += 1000;
    await cached.calicoLeftovers();
    expect(calls.leftovers).toBe(2);
  });

  it('when a cleanup runs, then the next heartbeat inventories the node afresh', async () => {
    const { host, calls } = countingHost();
    const cached = withCachedProbes(host, 60_000, () => 0);
    expect(await cached.calicoLeftovers()).toBe(true);
    await cached.cleanup({ dryRun: false, force: false });
    expect(await cached.calicoLeftovers()).toBe(false);
    expect(calls).toMatchObject({ leftovers: 2, cleanup: 1 });
  });

  it('when a probe fails, then the failure is not cached', async () => {
    const { host } = countingHost();
    let fail = true;
    const flaky: NodeHost = {
      ...host,
      calicoLeftovers: () => (fail ? Promise.reject(new Error('iptables-save busy')) : Promise.resolve(false)),
    };
    const cached = withCachedProbes(flaky, 60_000, () => 0);
    await expect(cached.calicoLeftovers()).rejects.toThrow('busy');
    fail = false;
    expect(await cached.calicoLeftovers()).toBe(false);
  });
});
