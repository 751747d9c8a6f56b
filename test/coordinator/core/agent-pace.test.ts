import { describe, expect, it } from '@jest/globals';
import { agentPaceFor, MAX_HEARTBEATS_PER_SECOND, MAX_POLLS_PER_SECOND } from '../../../coordinator/core/agent-pace.js';
import { MAX_LONG_POLL_SECONDS } from '../../../shared/api.js';

const configured = { heartbeatIntervalSeconds: 10, longPollSeconds: 30 };

describe('the agents pace', () => {
  it.each([
    [0, 10, 30],
    [200, 10, 30],
    [201, 11, 30],
    [1000, 50, 30],
    [3000, 150, 30],
    [3001, 151, 31],
    [5000, 250, 50],
    [20000, 300, MAX_LONG_POLL_SECONDS],
  ])('when the coordinator knows %i nodes, then agents heartbeat every %i s and poll for %i s', (nodes, heartbeat, poll) => {
    expect(agentPaceFor(nodes, configured)).toEqual({ heartbeatIntervalSeconds: heartbeat, longPollSeconds: poll });
  });

  it.each([500, 1000, 2000, 5000])('when %i agents sit idle, then they send no more than the caps a second', (nodes) => {
    const pace = agentPaceFor(nodes, configured);
    expect(nodes / pace.heartbeatIntervalSeconds).toBeLessThanOrEqual(MAX_HEARTBEATS_PER_SECOND);
    expect(nodes / pace.longPollSeconds).toBeLessThanOrEqual(MAX_POLLS_PER_SECOND);
  });

  it('when the configured pace is slower than the size asks for, then the configured one is kept', () => {
    expect(agentPaceFor(1000, { heartbeatIntervalSeconds: 120, longPollSeconds: 45 })).toEqual({ heartbeatIntervalSeconds: 120, longPollSeconds: 45 });
  });
});
