import { describe, expect, it } from '@jest/globals';
import { NodeAnnotation } from '../../../shared/names.js';
import { readNodeState } from '../../../coordinator/core/node-state.js';
import { patchFor, enter } from '../../../coordinator/core/decision.js';
import { state, T0 } from './fixtures.js';

describe('node state from annotations', () => {
  it('when a node has no annotations, then it reads as Pending, attempt 0, migrating', () => {
    expect(readNodeState('w1', undefined)).toMatchObject({ name: 'w1', phase: 'Pending', attempt: 0, direction: 'migrate', peers: [] });
  });

  it.each([
    [{ [NodeAnnotation.phase]: 'Sideways' }, { phase: 'Pending' }],
    [{ [NodeAnnotation.attempt]: '-3' }, { attempt: 0 }],
    [{ [NodeAnnotation.attempt]: 'many' }, { attempt: 0 }],
    [{ [NodeAnnotation.phaseSince]: 'yesterday' }, { phaseSince: undefined }],
    [{ [NodeAnnotation.lastResult]: '{not json' }, { lastResult: undefined }],
    [{ [NodeAnnotation.lastResult]: '{"orderId":"x"}' }, { lastResult: undefined }],
    [{ [NodeAnnotation.request]: 'explode' }, { request: undefined }],
    [{ [NodeAnnotation.direction]: 'sideways' }, { direction: 'migrate' }],
  ])('when an annotation is malformed (%j), then it reads as absent', (annotations, expected) => {
    expect(readNodeState('w1', annotations)).toMatchObject(expected);
  });

  it('when every annotation is written, then reading them back gives the same state', () => {
    const next = enter(
      state({ phase: 'WaitingReady', attempt: 3, bootIdBefore: 'b', ciliumPodBefore: 'u', wasUnschedulable: true }),
      'Validating',
      T0,
      { message: 'm', changes: { peers: ['10.245.0.4', '10.244.1.2'], request: undefined, direction: 'rollback' } },
    );
    const annotations = Object.fromEntries(
      Object.entries({
        ...patchFor(next.state, { attempt: 3, bootIdBefore: 'b', ciliumPodBefore: 'u', wasUnschedulable: true, startedAt: T0 }, T0),
        ...next.patch,
      }).filter((e): e is [string, string] => e[1] !== null),
    );
    const back = readNodeState('w1', annotations);
    expect(back).toMatchObject({
      phase: 'Validating',
      attempt: 3,
      bootIdBefore: 'b',
      ciliumPodBefore: 'u',
      wasUnschedulable: true,
      peers: ['10.245.0.4', '10.244.1.2'],
      direction: 'rollback',
      phaseSince: T0,
      startedAt: T0,
    });
    expect(annotations[NodeAnnotation.orderId]).toBe('w1.3.Validating');
  });
});
