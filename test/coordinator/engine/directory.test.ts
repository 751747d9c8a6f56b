import { afterEach, describe, expect, it } from '@jest/globals';
import { NodeAnnotation } from '../../../shared/names.js';
import { Harness, workers } from './harness.js';

const BOOT = '33333333-3333-4333-8333-333333333333';
const identity = (node: string) => ({ nodeName: node, podName: `agent-${node}`, bootId: BOOT });

describe('engine as the agents\' directory', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  it('when an agent long-polls before its node has an order, then the poll resolves the moment one exists', async () => {
    h = new Harness(workers(1));
    const engine = await h.startEngine();
    const poll = engine.order('w1', undefined, new AbortController().signal);
    const order = await poll;
    expect(order).toMatchObject({ kind: 'reboot', id: 'w1.1.Rebooting', ifBootId: h.cluster.bootIdOf('w1') });
    expect(h.cluster.node('w1').metadata?.annotations?.[NodeAnnotation.orderId]).toBe('w1.1.Rebooting');
  });

  it('when the agent already has the current order, then the poll waits and ends with null at its deadline', async () => {
    h = new Harness(workers(1));
    const engine = await h.startEngine();
    const first = await engine.order('w1', undefined, new AbortController().signal);
    const stop = new AbortController();
    const again = engine.order('w1', first?.id, stop.signal);
    // The poll has looked already (it runs to its first wait at once): holding the current order, it waits.
    stop.abort();
    expect(await again).toBeNull();
  });

  it('when a result names an order that is not current, then it is refused and nothing is recorded', async () => {
    h = new Harness(workers(1));
    const engine = await h.startEngine();
    const order = await engine.order('w1', undefined, new AbortController().signal);
    const stale = { ...identity('w1'), orderId: 'w1.0.Validating', outcome: 'failed' as const, message: 'late' };
    expect(await engine.result(stale)).toBe(false);
    expect(h.cluster.node('w1').metadata?.annotations?.[NodeAnnotation.lastResult]).toBeUndefined();
    const ok = { ...identity('w1'), orderId: order?.id ?? '', outcome: 'refused' as const, message: 'boot id moved on' };
    expect(await engine.result(ok)).toBe(true);
    expect(await engine.result(ok)).toBe(true);
    expect(JSON.parse(h.cluster.node('w1').metadata?.annotations?.[NodeAnnotation.lastResult] ?? '{}')).toMatchObject({
      orderId: 'w1.1.Rebooting',
      outcome: 'refused',
    });
  });

  it('when a validation fails, then the failed checks are recorded as the reason', async () => {
    h = new Harness(workers(1));
    h.agents.script.failDns.add('w1');
    await h.startEngine();
    h.startAgents();
    await h.waitFor(() => h!.cluster.phaseOf('w1') === 'Halted', 60_000, 'Halted');
    const snap = h.engine!.snapshot();
    expect(snap.nodes[0]).toMatchObject({ name: 'w1', phase: 'Halted', reason: expect.stringContaining('dns') as unknown });
    expect(snap.grants).toEqual([{ slot: 0, node: 'w1' }]);
  });

  it('when the engine is not the leader, then it hands out no order and refuses a result (409: report it again)', async () => {
    h = new Harness(workers(1));
    const leader = await h.startEngine('coordinator-a');
    await h.waitFor(() => leader.isLeader(), 60_000, 'leader');
    const follower = await h.startEngine('coordinator-b');
    expect(follower.isLeader()).toBe(false);
    const stop = new AbortController();
    const poll = follower.order('w1', undefined, stop.signal);
    stop.abort();
    expect(await poll).toBeNull();
    await expect(follower.result({ ...identity('w1'), orderId: 'w1.1.Rebooting', outcome: 'succeeded', message: '' })).rejects.toMatchObject({ code: 'Conflict' });
  });
});
