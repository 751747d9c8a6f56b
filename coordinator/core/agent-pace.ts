/**
 * The agents' pace, pure: how often each agent heartbeats and how long each of its order long-polls waits,
 * from how many nodes the coordinator knows. An idle agent still heartbeats and polls, so at a fixed pace the
 * requests of the idle agents grow with the node count times the length of the run (which itself grows with
 * the node count): 5,000 agents at a heartbeat every 10 s and a poll every 30 s sent the coordinator 670
 * requests a second for nothing. Past a few hundred nodes the coordinator answers a registration with a
 * longer interval and wait, so what the idle agents send stays about the same at any size. Each poll is
 * heard from as well as each heartbeat (Engine.order), so "agent not seen since" in a halt's reason stays
 * within a poll's wait (at most a minute) of the truth.
 */
import { MAX_LONG_POLL_SECONDS, type RegisterResponse } from '../../shared/api.js';

/** The heartbeats a second the coordinator takes at most from idle agents. */
export const MAX_HEARTBEATS_PER_SECOND = 20;
/** The empty long-polls a second the coordinator answers at most. */
export const MAX_POLLS_PER_SECOND = 100;
/** The longest heartbeat interval asked for (the interval the heartbeat's facts may be old by). */
export const MAX_HEARTBEAT_INTERVAL_SECONDS = 300;

/** `floor` is the configured pace: a small cluster keeps it; a large one stretches it. */
export function agentPaceFor(nodes: number, floor: RegisterResponse): RegisterResponse {
  const heartbeat = Math.ceil(nodes / MAX_HEARTBEATS_PER_SECOND);
  const poll = Math.ceil(nodes / MAX_POLLS_PER_SECOND);
  return {
    heartbeatIntervalSeconds: Math.max(floor.heartbeatIntervalSeconds, Math.min(MAX_HEARTBEAT_INTERVAL_SECONDS, heartbeat)),
    longPollSeconds: Math.max(floor.longPollSeconds, Math.min(MAX_LONG_POLL_SECONDS, poll)),
  };
}
