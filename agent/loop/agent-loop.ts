/**
 * The agent's conversation with the coordinator: register, heartbeat on the interval it was given,
 * long-poll for orders, run each, report the result (re-sent until acknowledged). Any failure ends the
 * session; the agent backs off (jittered, exponential) and registers again, so it rides out coordinator
 * restarts. When another coordinator takes over (the leader Lease shows a new term) the session and any
 * backoff end at once and the agent registers with the new leader. A reboot ends the process, by design:
 * the next process registers with the new boot id.
 */
import type { Order, RegisterResponse } from '../../shared/api.js';
import { describeError } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';
import type { NodeHost } from '../host/node-host.js';
import type { OrderRunner } from '../orders/runner.js';
import { Backoff } from './backoff.js';
import type { CoordinatorApi } from './coordinator-client.js';
import { describeHeartbeat, describeRegistration, type AgentIdentity } from './heartbeat.js';

export interface AgentLoopDeps {
  api: CoordinatorApi;
  host: NodeHost;
  runner: OrderRunner;
  identity: AgentIdentity;
  log: Logger;
  backoff?: Backoff;
  /** Subscribes to a new coordinator taking over (the agent then reconnects at once). */
  onCoordinatorMoved?(cb: () => void): () => void;
}

interface Conversation {
  /**
   * The id of the last order received in this session, so a long-poll waits for a different one. A new
   * session starts without it: the coordinator redelivers its current order, and the runner answers a
   * redelivery with the first run's result (a coordinator that crashed before recording it gets it again).
   */
  after?: string;
}

/** Runs until `signal` aborts. Never throws for coordinator trouble: it retries. */
export async function runAgentLoop(deps: AgentLoopDeps, signal: AbortSignal): Promise<void> {
  const backoff = deps.backoff ?? new Backoff();
  const log = deps.log.child({ node: deps.identity.nodeName });
  let moved = new AbortController();
  const unsubscribe = deps.onCoordinatorMoved?.(() => {
    log.info('a new coordinator leads; reconnecting');
    backoff.reset();
    moved.abort();
  });
  try {
    while (!signal.aborted) {
      moved = new AbortController();
      await session(deps, backoff, AbortSignal.any([signal, moved.signal]), log);
    }
  } finally {
    unsubscribe?.();
  }
}

/** One registration and the conversation after it; on failure, the backoff (cut short when `signal` aborts). */
async function session(deps: AgentLoopDeps, backoff: Backoff, signal: AbortSignal, log: Logger): Promise<void> {
  try {
    const timing = await deps.api.register(await describeRegistration(deps.host, deps.identity));
    log.info(timing, 'registered with the coordinator');
    backoff.reset();
    await converse(deps, timing, {}, signal);
  } catch (e) {
    if (signal.aborted) return;
    log.warn({ why: describeError(e), failures: backoff.failures + 1 }, 'coordinator conversation failed; backing off');
    await backoff.wait(signal).catch(() => undefined);
  }
}

/** After this many empty long-polls in a row, look the coordinator up again (a replica that lost leadership answers nothing). */
const RELOCATE_AFTER_EMPTY_POLLS = 4;

async function converse(deps: AgentLoopDeps, timing: RegisterResponse, conv: Conversation, signal: AbortSignal): Promise<void> {
  const heartbeats = startHeartbeats(deps, timing.heartbeatIntervalSeconds * 1000);
  const polls = new OrderPolls(deps, timing.longPollSeconds);
  try {
    while (!signal.aborted) {
      await reportResults(deps);
      const order = await polls.next(conv.after, signal);
      if (order === null) continue;
      conv.after = order.id;
      await deps.runner.run(order);
    }
  } finally {
    heartbeats.stop();
  }
}

/**
 * Long-polls for the next order. A poll that came back empty far too early is paced (a misbehaving server
 * cannot make us spin); after a run of empty polls the coordinator is looked up again.
 */
class OrderPolls {
  private readonly pace = new Backoff({ initialMs: 100, maxMs: 5000, factor: 2, jitter: 0.5 });
  private empty = 0;

  constructor(
    private readonly deps: AgentLoopDeps,
    private readonly waitSeconds: number,
  ) {}

  async next(after: string | undefined, signal: AbortSignal): Promise<Order | null> {
    const asked = Date.now();
    const order = await this.deps.api.nextOrder(this.deps.identity.nodeName, after, this.waitSeconds, signal);
    if (order !== null) {
      this.empty = 0;
      this.pace.reset();
      return order;
    }
    this.empty += 1;
    if (this.empty % RELOCATE_AFTER_EMPTY_POLLS === 0) this.deps.api.relocate?.();
    if ((Date.now() - asked) * 10 >= this.waitSeconds * 1000) this.pace.reset();
    else await this.pace.wait(signal);
    return null;
  }
}

async function reportResults(deps: AgentLoopDeps): Promise<void> {
  for (const result of deps.runner.unreported()) {
    const accepted = await deps.api.reportResult(result);
    deps.runner.markReported(result.orderId);
    deps.log.info({ node: result.nodeName, orderId: result.orderId, outcome: result.outcome, accepted }, 'result reported');
  }
}

/** Heartbeats at once and then on the interval; a beat still being sent is not overlapped by the next. */
function startHeartbeats(deps: AgentLoopDeps, intervalMs: number): { stop(): void } {
  let sending = false;
  const beat = async (): Promise<void> => {
    if (sending) return;
    sending = true;
    try {
      await deps.api.heartbeat(await describeHeartbeat(deps.host, deps.identity));
    } catch (e) {
      deps.log.warn({ node: deps.identity.nodeName, why: describeError(e) }, 'heartbeat failed');
    } finally {
      sending = false;
    }
  };
  void beat();
  const timer = setInterval(() => void beat(), intervalMs);
  return { stop: () => clearInterval(timer) };
}
