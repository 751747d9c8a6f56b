import { describe, expect, it } from '@jest/globals';
import { NodeAnnotation } from '../../../shared/names.js';
import { formatOrderDelivery, readNodeState } from '../../../coordinator/core/node-state.js';
import { orderIdFor } from '../../../coordinator/core/orders.js';
import { transition } from '../../../coordinator/core/transition.js';
import { BOOT_A, later, obs, settings, state } from './fixtures.js';

const rebooting = { phase: 'Rebooting' as const, bootIdBefore: BOOT_A };
const delivered = (phase: 'Rebooting' | 'Validating', ms: number) => ({ orderDelivered: { orderId: orderIdFor('w1', 1, phase), at: later(ms) } });

describe('deadlines of steps that wait on an order', () => {
  it('when the reboot order never reached the agent, then the halt says so and when the agent was last seen', () => {
    const d = transition(state({ ...rebooting, agentSeen: later(-5000) }), obs(), later(300_000), settings);
    expect(d.phase).toBe('Halted');
    expect(d.patch[NodeAnnotation.haltReason]).toBe(
      `reboot order never delivered within 300s: agent not seen since ${later(-5000).toISOString()}`,
    );
    expect(d.patch[NodeAnnotation.agentSeen]).toBe(later(-5000).toISOString());
  });

  it('when this coordinator heard the agent later than the Node records, then the later time is told and recorded', () => {
    const d = transition(state({ ...rebooting, agentSeen: later(-5000) }), obs({ agentHeardAt: later(200_000) }), later(300_000), settings);
    expect(d.patch[NodeAnnotation.haltReason]).toContain(`agent not seen since ${later(200_000).toISOString()}`);
    expect(d.patch[NodeAnnotation.agentSeen]).toBe(later(200_000).toISOString());
  });

  it('when the reboot order was delivered and the node did not reboot, then the halt names the delivery', () => {
    const s = state({ ...rebooting, ...delivered('Rebooting', 2000), agentSeen: later(2000) });
    const d = transition(s, obs({ agentHeardAt: later(299_000) }), later(300_000), settings);
    expect(d.patch[NodeAnnotation.haltReason]).toBe(
      `node did not reboot (boot id unchanged) within 300s (reboot order delivered at ${later(2000).toISOString()}; agent not seen since ${later(299_000).toISOString()})`,
    );
  });

  it('when only this coordinator saw the delivery (not yet on the Node), then the halt names it and records it', () => {
    const s = state(rebooting);
    const d = transition(s, obs({ orderDelivered: delivered('Rebooting', 3000).orderDelivered }), later(300_000), settings);
    expect(d.patch[NodeAnnotation.haltReason]).toMatch(/^node did not reboot \(boot id unchanged\) within 300s \(reboot order delivered at /);
    expect(d.patch[NodeAnnotation.orderDelivered]).toBe(`w1.1.Rebooting ${later(3000).toISOString()}`);
  });

  it('when the recorded delivery is of an earlier order, then the current order counts as never delivered', () => {
    const s = state({ ...rebooting, attempt: 2, ...delivered('Rebooting', 2000) });
    const d = transition(s, obs(), later(300_000), settings);
    expect(d.patch[NodeAnnotation.haltReason]).toMatch(/^reboot order never delivered within 300s/);
  });

  it('when the validation order never reached the agent, then the halt says so instead of "not reported"', () => {
    const d = transition(state({ phase: 'Validating', agentSeen: later(-1000) }), obs(), later(120_000), settings);
    expect(d.patch[NodeAnnotation.haltReason]).toBe(`validation order never delivered within 120s: agent not seen since ${later(-1000).toISOString()}`);
  });

  it('when the validation order was delivered but no result came, then the halt names the delivery', () => {
    const d = transition(state({ phase: 'Validating', ...delivered('Validating', 10) }), obs(), later(120_000), settings);
    expect(d.patch[NodeAnnotation.haltReason]).toMatch(/^validation not reported within 120s \(validation order delivered at /);
  });

  it('when the Node carries the delivery and agent-seen annotations, then they read back', () => {
    const at = later(42);
    const s = readNodeState('w1', {
      [NodeAnnotation.orderDelivered]: formatOrderDelivery({ orderId: 'w1.1.Rebooting', at }),
      [NodeAnnotation.agentSeen]: at.toISOString(),
    });
    expect(s.orderDelivered).toEqual({ orderId: 'w1.1.Rebooting', at });
    expect(s.agentSeen).toEqual(at);
    expect(readNodeState('w1', { [NodeAnnotation.orderDelivered]: 'garbage' }).orderDelivered).toBeUndefined();
  });
});
