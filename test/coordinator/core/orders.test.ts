import { describe, expect, it } from '@jest/globals';
import { OrderSchema } from '../../../shared/api.js';
import type { Phase } from '../../../shared/phases.js';
import { checkTimeoutSeconds, orderFor, orderIdFor, resultForCurrentOrder } from '../../../coordinator/core/orders.js';
import { BOOT_A, state } from './fixtures.js';

const settings = { dnsName: 'kubernetes.default.svc.cluster.local', validateTimeoutSeconds: 180, cidrs: { forward: '10.245.0.0/16', rollback: '192.168.0.0/16' } };

describe('the order a node should see', () => {
  it.each<[Phase, string | null]>([
    ['Pending', null],
    ['Cordoning', null],
    ['Draining', null],
    ['Labeling', null],
    ['RestartingCilium', null],
    ['Rebooting', 'reboot'],
    ['WaitingReady', null],
    ['Validating', 'validate'],
    ['Uncordoning', null],
    ['Done', null],
    ['RollbackUnlabeling', null],
    ['RollbackRestoringCniFiles', 'restore-cni-files'],
    ['RollbackRestartingCilium', null],
    ['RollbackRebooting', 'reboot'],
    ['RollbackWaitingReady', null],
    ['RollbackValidating', 'validate'],
    ['RollbackUncordoning', null],
    ['RolledBack', null],
    ['Halted', null],
  ])('when a node is %s, then its order is %s', (phase, kind) => {
    const o = orderFor(state({ phase, attempt: 2, bootIdBefore: BOOT_A, peers: ['10.245.1.1'] }), settings);
    expect(o?.kind ?? null).toBe(kind);
    if (o) {
      expect(OrderSchema.parse(o)).toEqual(o);
      expect(o.id).toBe(`w1.2.${phase}`);
    }
  });

  it('when validating after a migration or after a rollback, then the expected CIDR is the one pre-flight read for Cilium or Calico', () => {
    expect(orderFor(state({ phase: 'Validating' }), settings)).toMatchObject({ expectedCidr: '10.245.0.0/16', dnsName: settings.dnsName, timeoutSeconds: 45 });
    expect(orderFor(state({ phase: 'RollbackValidating' }), settings)).toMatchObject({ expectedCidr: '192.168.0.0/16' });
  });

  it('when pre-flight has not read the CIDRs yet, then no validate order is sent', () => {
    expect(orderFor(state({ phase: 'Validating' }), { ...settings, cidrs: undefined })).toBeNull();
  });

  it('when the Migration names a check image, then the validate order carries it; otherwise the agent decides', () => {
    expect(orderFor(state({ phase: 'Validating' }), { ...settings, checkImage: 'reg/netshoot:1' })).toMatchObject({ image: 'reg/netshoot:1' });
    expect(orderFor(state({ phase: 'Validating' }), settings)).not.toHaveProperty('image');
  });

  it('when no boot id was recorded, then no reboot is ordered (an unguarded reboot is never sent)', () => {
    expect(orderFor(state({ phase: 'Rebooting', bootIdBefore: undefined }), settings)).toBeNull();
  });

  it('when the same state is read twice (or by a restarted coordinator), then the order id is the same', () => {
    const s = state({ phase: 'Rebooting', bootIdBefore: BOOT_A });
    expect(orderFor(s, settings)).toEqual(orderFor({ ...s }, settings));
  });

  it('when a node name is very long, then the order id still fits the API limit', () => {
    const id = orderIdFor('n'.repeat(253), 12, 'RollbackRestoringCniFiles');
    expect(id.length).toBeLessThanOrEqual(128);
    expect(id.endsWith('.12.RollbackRestoringCniFiles')).toBe(true);
  });

  it.each([[1, 1], [4, 1], [180, 45], [3600, 600]])('when the validation deadline is %ss, then each check gets %ss', (v, t) => {
    expect(checkTimeoutSeconds(v)).toBe(t);
  });

  it('when the recorded result answers an older order, then it does not count for the current one', () => {
    const lastResult = { orderId: 'w1.1.Validating', outcome: 'failed' as const, message: '' };
    expect(resultForCurrentOrder(state({ phase: 'Validating', attempt: 1, lastResult }))).toEqual(lastResult);
    expect(resultForCurrentOrder(state({ phase: 'Validating', attempt: 2, lastResult }))).toBeUndefined();
  });
});
