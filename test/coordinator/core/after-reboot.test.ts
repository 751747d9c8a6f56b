import { describe, expect, it } from '@jest/globals';
import { NodeAnnotation } from '../../../shared/names.js';
import { advance } from '../../../coordinator/core/advance.js';
import { countPastHaltDeadline, lastPassedHaltDeadline, nextHaltDeadline } from '../../../coordinator/core/halt-deadlines.js';
import { transition } from '../../../coordinator/core/transition.js';
import { BOOT_A, BOOT_B, later, obs, settings, state } from './fixtures.js';

/** The reboot timeout of the fixtures' settings: 300 s. */
const REBOOT_MS = settings.rebootTimeoutMs;
const rebooting = state({ phase: 'Rebooting', bootIdBefore: BOOT_A });
const rebootedNotReady = obs({ bootId: BOOT_B, nodeReady: false, unschedulable: true, labeled: true });

describe('a rebooted node waiting to be Ready', () => {
  it('when the boot id changed but the node is not Ready, then nothing is written: it waits, still recorded as Rebooting', () => {
    const d = advance({ state: rebooting, obs: rebootedNotReady, now: later(20_000), settings });
    expect(d.state.phase).toBe('Rebooting');
    expect(d.patch).toEqual({});
    expect(d.transitions).toEqual([]);
  });

  it('when it is Ready later, then one patch takes it from Rebooting to Validating, with its peers', () => {
    const d = advance({ state: rebooting, obs: obs({ bootId: BOOT_B, unschedulable: true, labeled: true }), now: later(40_000), settings });
    expect(d.transitions.map((t) => t.to)).toEqual(['WaitingReady', 'Validating']);
    expect(d.patch).toMatchObject({ [NodeAnnotation.phase]: 'Validating', [NodeAnnotation.validatePeers]: '10.245.1.5 10.244.2.7', [NodeAnnotation.phaseSince]: later(40_000).toISOString() });
  });

  it('when it is still not Ready past the reboot timeout, then it waits: the reboot went ahead in time', () => {
    expect(transition(rebooting, rebootedNotReady, later(REBOOT_MS + 1000), settings).phase).toBe('Rebooting');
  });

  it('when it is not Ready at the reboot timeout and the wait for Ready after it, both from the recorded Rebooting start, then it halts', () => {
    const d = transition(rebooting, obs({ bootId: BOOT_B, ciliumPod: { uid: 'p', ready: false } }), later(2 * REBOOT_MS), settings);
    expect(d.phase).toBe('Halted');
    expect(d.patch).toMatchObject({
      [NodeAnnotation.failedPhase]: 'Rebooting',
      [NodeAnnotation.haltReason]: `after reboot (new boot id ${BOOT_B}): Cilium pod not Ready within 600s of the reboot order`,
    });
  });

  it('when the rollback reboot went ahead, then its wait is unrecorded as well', () => {
    const d = advance({ state: state({ phase: 'RollbackRebooting', direction: 'rollback', bootIdBefore: BOOT_A }), obs: rebootedNotReady, now: later(1000), settings });
    expect(d.patch).toEqual({});
    expect(transition(state({ phase: 'RollbackRebooting', bootIdBefore: BOOT_A }), rebootedNotReady, later(2 * REBOOT_MS), settings).phase).toBe('Halted');
  });

  it('when the reboot timeout passed, then the coordinator still wakes at the after-reboot deadline, and counts the node past its deadline only then', () => {
    expect(nextHaltDeadline([rebooting], settings, later(1000))).toEqual(later(REBOOT_MS));
    expect(nextHaltDeadline([rebooting], settings, later(REBOOT_MS))).toEqual(later(2 * REBOOT_MS));
    expect(lastPassedHaltDeadline(rebooting, settings, later(REBOOT_MS + 1000))).toBe(later(REBOOT_MS).getTime());
    expect(lastPassedHaltDeadline(rebooting, settings, later(2 * REBOOT_MS))).toBe(later(2 * REBOOT_MS).getTime());
    expect(countPastHaltDeadline([rebooting], settings, later(REBOOT_MS + 1000))).toBe(0);
    expect(countPastHaltDeadline([rebooting], settings, later(2 * REBOOT_MS + 1000))).toBe(1);
  });
});
