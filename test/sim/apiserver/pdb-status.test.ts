import { describe, expect, it } from '@jest/globals';
import { budgetOf, computePdbStatus } from '../../../sim/apiserver/pdb-status.js';

const now = new Date('2026-11-26T16:00:00Z');
const pod = (name: string, ready: boolean, terminating = false): Record<string, unknown> => ({
  metadata: { name, ...(terminating ? { deletionTimestamp: '2026-11-26T16:00:30Z' } : {}) },
  status: { conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
});

describe('PDB budget', () => {
  interface Row {
    spec: Record<string, unknown>;
    pods: number;
    scale: number | undefined;
    want: { expectedPods: number; desiredHealthy: number };
  }
  const table: [string, Row][] = [
    ['minAvailable int counts pods', { spec: { minAvailable: 2 }, pods: 3, scale: 10, want: { expectedPods: 3, desiredHealthy: 2 } }],
    ['minAvailable percent uses the controller scale, rounding up', { spec: { minAvailable: '50%' }, pods: 3, scale: 5, want: { expectedPods: 5, desiredHealthy: 3 } }],
    ['maxUnavailable int', { spec: { maxUnavailable: 1 }, pods: 3, scale: 4, want: { expectedPods: 4, desiredHealthy: 3 } }],
    ['maxUnavailable percent', { spec: { maxUnavailable: '25%' }, pods: 4, scale: undefined, want: { expectedPods: 4, desiredHealthy: 3 } }],
    ['maxUnavailable above the scale floors at zero', { spec: { maxUnavailable: 9 }, pods: 2, scale: undefined, want: { expectedPods: 2, desiredHealthy: 0 } }],
  ];
  it.each(table)('when %s, then the budget is as the disruption controller computes it', (_name, row) => {
    expect(budgetOf(row.spec, row.pods, row.scale)).toEqual(row.want);
  });
});

describe('PDB status', () => {
  const pdb = { metadata: { name: 'web', generation: 2 }, spec: { minAvailable: 2 } };

  it('when three pods are Ready, then one disruption is allowed (SufficientPods)', () => {
    const s = computePdbStatus({ pdb, pods: [pod('a', true), pod('b', true), pod('c', true)], controllerScale: undefined, now, nowStamp: '2026-11-26T16:00:00Z' });
    expect(s).toMatchObject({ observedGeneration: 2, disruptionsAllowed: 1, currentHealthy: 3, desiredHealthy: 2, expectedPods: 3 });
    expect(s['conditions']).toEqual([expect.objectContaining({ type: 'DisruptionAllowed', status: 'True', reason: 'SufficientPods' })]);
  });

  it('when a pod is terminating or not ready, then it is not healthy and no disruption is allowed', () => {
    const s = computePdbStatus({ pdb, pods: [pod('a', true), pod('b', false), pod('c', true, true)], controllerScale: undefined, now, nowStamp: 'x' });
    expect(s).toMatchObject({ disruptionsAllowed: 0, currentHealthy: 1 });
    expect(s['conditions']).toEqual([expect.objectContaining({ status: 'False', reason: 'InsufficientPods' })]);
  });

  it('when a pod was just evicted but still runs, then it is kept in disruptedPods and not counted', () => {
    const withDisrupted = { ...pdb, status: { disruptedPods: { a: '2026-11-26T15:59:50Z', gone: '2026-11-26T15:59:50Z' } } };
    const s = computePdbStatus({ pdb: withDisrupted, pods: [pod('a', true), pod('b', true), pod('c', true)], controllerScale: undefined, now, nowStamp: 'x' });
    expect(s).toMatchObject({ currentHealthy: 2, disruptionsAllowed: 0, disruptedPods: { a: '2026-11-26T15:59:50Z' } });
  });
});
