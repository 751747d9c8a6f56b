import { afterEach, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { runAgentLoop } from '../../../agent/loop/agent-loop.js';
import { Backoff, backoffDelayMs } from '../../../agent/loop/backoff.js';
import { createCoordinatorClient, type CoordinatorApi } from '../../../agent/loop/coordinator-client.js';
import { fixedLocator } from '../../../agent/loop/locate-coordinator.js';
import { OrderRunner } from '../../../agent/orders/runner.js';
import { createLogger, silentLogger } from '../../../shared/logger.js';
import { SimNodeHost } from '../../../sim/host/sim-node-host.js';
import { startFakeCoordinator, type FakeCoordinator } from './fake-coordinator.js';
import { waitFor } from '../../support/wait-for.js';

const NODE = 'node-a';

/** A node whose boot id changes when the simulation reboots it. */
function simulatedNode() {
  const node = { bootId: randomUUID(), reboots: 0 };
  const host = new SimNodeHost(NODE, {
    bootId: () => node.bootId,
    rebootNode: async () => {
      node.reboots += 1;
      node.bootId = randomUUID();
    },
  });
  return { node, host };
}

function startAgent(coordinator: FakeCoordinator, host: SimNodeHost, token = 'tok-a') {
  const stop = new AbortController();
  const backoff = new Backoff({ initialMs: 50, maxMs: 200, factor: 2, jitter: 0.5 });
  const locator = fixedLocator(coordinator.url);
  const api = createCoordinatorClient({ ...locator, readToken: async () => token, requestTimeoutMs: 2000 });
  const runner = new OrderRunner({
    host,
    nodeName: NODE,
    podName: `agent-${NODE}`,
    forceCleanup: false,
    log: silentLogger(),
    validate: async () => ({ outcome: 'succeeded', message: 'fake validation' }),
  });
  const done = runAgentLoop(
    {
      api,
      host,
      runner,
      identity: { nodeName: NODE, podName: `agent-${NODE}`, agentVersion: '0.1.0' },
      log: process.env.DEBUG_AGENT ? createLogger({ component: 'agent', level: 'debug' }) : silentLogger(),
      backoff,
    },
    stop.signal,
  );
  return {
    backoff,
    stop: async () => {
      stop.abort();
      await done;
    },
  };
}

describe('backoffDelayMs', () => {
  const policy = { initialMs: 100, maxMs: 1000, factor: 2, jitter: 0.5 };
  it.each([
    [0, 0, 100],
    [1, 0, 200],
    [3, 0, 800],
    [10, 0, 1000],
    [1, 1, 100],
    [10, 0.5, 750],
  ])('when attempt %i has random %f, then the wait is %i ms', (attempt, random, expected) => {
    expect(backoffDelayMs(attempt, policy, () => random)).toBe(expected);
  });
});

describe('agent loop against a fake coordinator', () => {
  let coordinator: FakeCoordinator;
  let agents: ReturnType<typeof startAgent>[] = [];
  afterEach(async () => {
    await Promise.all(agents.map((a) => a.stop()));
    agents = [];
    await coordinator.close();
  });

  it('when started, then it registers with its boot id and heartbeats on the given interval', async () => {
    coordinator = await startFakeCoordinator({ 'tok-a': NODE });
    const { node, host } = simulatedNode();
    agents.push(startAgent(coordinator, host));
    await waitFor('two heartbeats', () => coordinator.directory.heartbeats.length >= 2);
    expect(coordinator.directory.registrations[0]).toMatchObject({ nodeName: NODE, bootId: node.bootId, agentVersion: '0.1.0' });
    expect(coordinator.directory.heartbeats[1]).toMatchObject({
      nodeName: NODE,
      bootId: node.bootId,
      calicoLeftovers: true,
      iptablesBackends: ['nft'],
    });
  });

  it('when the coordinator crashes and comes back, then the agent backs off and registers again', async () => {
    coordinator = await startFakeCoordinator({ 'tok-a': NODE });
    const { host } = simulatedNode();
    agents.push(startAgent(coordinator, host));
    await waitFor('first registration', () => coordinator.directory.registrations.length === 1);
    await coordinator.crash();
    const agent = agents.at(-1);
    await waitFor('a failed attempt while the coordinator is down', () => (agent?.backoff.failures ?? 0) >= 1);
    await coordinator.restart();
    await waitFor('registration after restart', () => coordinator.directory.registrations.length === 2);
    coordinator.directory.give({ kind: 'cleanup', id: 'c-1', dryRun: false });
    await waitFor('cleanup result', () => coordinator.directory.results.length === 1);
    expect(coordinator.directory.results[0]).toMatchObject({ orderId: 'c-1', outcome: 'succeeded' });
    expect(coordinator.directory.results[0]?.cleanup?.leftover).toBe(0);
  });

  it('when the coordinator resets its first connections (its accept queue overflowed), then the agent backs off, retries and registers', async () => {
    coordinator = await startFakeCoordinator({ 'tok-a': NODE });
    const target = new URL(coordinator.url);
    let resets = 0;
    const front = net.createServer((s) => {
      if (resets < 3) {
        resets += 1;
        s.resetAndDestroy();
        return;
      }
      const up = net.connect(Number(target.port), target.hostname);
      s.on('error', () => up.destroy());
      up.on('error', () => s.destroy());
      s.pipe(up).pipe(s);
    });
    await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
    try {
      const { host } = simulatedNode();
      const agent = startAgent({ ...coordinator, url: `http://127.0.0.1:${(front.address() as AddressInfo).port}` }, host);
      agents.push(agent);
      await waitFor('registration once connections are accepted', () => coordinator.directory.registrations.length === 1);
      expect(resets).toBe(3);
      await waitFor('the backoff reset by the registration', () => agent.backoff.failures === 0);
    } finally {
      await Promise.all(agents.map((a) => a.stop()));
      agents = [];
      front.close();
    }
  });

  it('when a reboot order is delivered twice, then the node reboots once and both deliveries get the result', async () => {
    coordinator = await startFakeCoordinator({ 'tok-a': NODE });
    const { node, host } = simulatedNode();
    const bootBefore = node.bootId;
    agents.push(startAgent(coordinator, host));
    coordinator.directory.give({ kind: 'reboot', id: 'r-1', ifBootId: bootBefore });
    coordinator.directory.give({ kind: 'reboot', id: 'r-1', ifBootId: bootBefore });
    await waitFor('two results', () => coordinator.directory.results.length === 2);
    expect(node.reboots).toBe(1);
    expect(coordinator.directory.results.map((r) => [r.orderId, r.outcome])).toEqual([
      ['r-1', 'succeeded'],
      ['r-1', 'succeeded'],
    ]);
  });

  it('when the coordinator restarts and hands out the same order again, then the first result is re-sent, not re-run', async () => {
    coordinator = await startFakeCoordinator({ 'tok-a': NODE });
    const { node, host } = simulatedNode();
    agents.push(startAgent(coordinator, host));
    coordinator.directory.give({ kind: 'reboot', id: 'r-1', ifBootId: node.bootId });
    await waitFor('first result', () => coordinator.directory.results.length === 1);
    await coordinator.crash();
    await coordinator.restart();
    const registered = coordinator.directory.registrations.length;
    await waitFor('registration after restart', () => coordinator.directory.registrations.length > registered);
    coordinator.directory.give({ kind: 'reboot', id: 'r-1', ifBootId: coordinator.directory.registrations[0]?.bootId ?? '' });
    await waitFor('second result', () => coordinator.directory.results.length === 2);
    expect(node.reboots).toBe(1);
    expect(coordinator.directory.results.map((r) => r.outcome)).toEqual(['succeeded', 'succeeded']);
  });

  it('when the agent restarts after the reboot and the order comes again, then it is refused, not run', async () => {
    coordinator = await startFakeCoordinator({ 'tok-a': NODE });
    const { node, host } = simulatedNode();
    const order = { kind: 'reboot' as const, id: 'r-1', ifBootId: node.bootId };
    const first = startAgent(coordinator, host);
    coordinator.directory.give(order);
    await waitFor('first result', () => coordinator.directory.results.length === 1);
    // Stopped while it waits in its next poll: no poll of the old agent reaches the coordinator later and takes the order.
    await waitFor('the first agent polls again', () => coordinator.directory.polls.includes('r-1'));
    await first.stop();
    const pollsBefore = coordinator.directory.polls.length;
    agents.push(startAgent(coordinator, host));
    await waitFor('the new agent polls', () => coordinator.directory.polls.length > pollsBefore);
    coordinator.directory.give(order);
    await waitFor('second result', () => coordinator.directory.results.length === 2);
    expect(node.reboots).toBe(1);
    expect(coordinator.directory.results[1]).toMatchObject({ orderId: 'r-1', outcome: 'refused', bootId: node.bootId });
  });

  it('when the token is not accepted, then the agent keeps retrying and never gets an order', async () => {
    coordinator = await startFakeCoordinator({ 'tok-a': NODE });
    const { host } = simulatedNode();
    agents.push(startAgent(coordinator, host, 'stolen'));
    coordinator.directory.give({ kind: 'cleanup', id: 'c-1', dryRun: false });
    const attempts = (): number => coordinator.tokensSeen.filter((t) => t === 'stolen').length;
    await waitFor('the agent to try its refused token three times', () => attempts() >= 3);
    expect(coordinator.directory.registrations).toEqual([]);
    expect(coordinator.directory.polls).toEqual([]);
    expect(await host.calicoLeftovers()).toBe(true);
  });

  it('when the restore-cni-files order comes after Cilium took over, then Calico\'s conflist is back', async () => {
    coordinator = await startFakeCoordinator({ 'tok-a': NODE });
    const { host } = simulatedNode();
    host.ciliumTakesOverCni();
    agents.push(startAgent(coordinator, host));
    coordinator.directory.give({ kind: 'restore-cni-files', id: 'x-1' });
    await waitFor('restore result', () => coordinator.directory.results.length === 1);
    expect([...host.cniFiles]).toEqual(['10-calico.conflist']);
    expect(coordinator.directory.results[0]?.outcome).toBe('succeeded');
  });
});

describe('agent loop with a fake coordinator API', () => {
  it('when long-polls keep coming back empty, then the agent looks the coordinator up again every 4 polls', async () => {
    const { host } = simulatedNode();
    let polls = 0;
    let relocations = 0;
    let endPoll: () => void = () => undefined;
    const api: CoordinatorApi = {
      register: async () => ({ heartbeatIntervalSeconds: 60, longPollSeconds: 1 }),
      heartbeat: async () => undefined,
      // Each long-poll stays open until the test ends it (or the agent stops): the test counts them one by one.
      nextOrder: async (_node, _after, _waitSeconds, signal) => {
        polls += 1;
        await new Promise<void>((resolve) => {
          endPoll = resolve;
          signal.addEventListener('abort', () => resolve(), { once: true });
        });
        return null;
      },
      reportResult: async () => true,
      relocate: () => {
        relocations += 1;
      },
    };
    const stop = new AbortController();
    const runner = new OrderRunner({
      host,
      nodeName: NODE,
      podName: 'agent',
      forceCleanup: false,
      log: silentLogger(),
      validate: async () => ({ outcome: 'succeeded', message: '' }),
    });
    const done = runAgentLoop(
      { api, host, runner, identity: { nodeName: NODE, podName: 'agent', agentVersion: '0' }, log: silentLogger() },
      stop.signal,
    );
    for (let n = 1; n <= 8; n += 1) {
      await waitFor(`empty poll ${n}`, () => polls === n);
      expect(relocations).toBe(Math.floor((n - 1) / 4));
      endPoll();
    }
    await waitFor('the ninth poll', () => polls === 9);
    expect(relocations).toBe(2);
    stop.abort();
    await done;
    expect(relocations).toBe(2);
  });
});
