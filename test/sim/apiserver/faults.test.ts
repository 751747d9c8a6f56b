import { describe, expect, it } from '@jest/globals';
import { FaultInjector } from '../../../sim/apiserver/faults.js';

const target = { verb: 'patch', resource: 'nodes', subresource: undefined, caller: 'system:serviceaccount:x:y' };

function pattern(seed: number): boolean[] {
  const f = new FaultInjector();
  f.seed(seed);
  f.add({ rate: 0.5, error: 503 });
  return Array.from({ length: 32 }, () => f.decide(target).error !== undefined);
}

describe('fault injection', () => {
  it('when the same seed is used twice, then the same requests fail', () => {
    expect(pattern(42)).toEqual(pattern(42));
    expect(pattern(42)).not.toEqual(pattern(7));
  });

  it('when a rule is filtered by caller and limited in times, then only those requests are hit, that often', () => {
    const f = new FaultInjector();
    f.add({ match: { caller: target.caller, verb: 'patch' }, conflict: true, times: 2 });
    expect(f.decide({ ...target, caller: 'someone-else' }).error).toBeUndefined();
    expect(f.decide(target).error?.statusCode).toBe(409);
    expect(f.decide(target).error?.statusCode).toBe(409);
    expect(f.decide(target).error).toBeUndefined();
  });

  it('when a conflict rule meets a read, then reads are left alone; latency adds up', () => {
    const f = new FaultInjector();
    f.add({ conflict: true, latencyMs: 5 });
    f.add({ latencyMs: 7 });
    const d = f.decide({ ...target, verb: 'get' });
    expect(d.error).toBeUndefined();
    expect(d.latencyMs).toBe(12);
  });

  it('when a rule is malformed, then it is rejected and nothing is added', () => {
    const f = new FaultInjector();
    expect(() => f.add({ rate: 2 })).toThrow();
    expect(f.decide(target).latencyMs).toBe(0);
  });
});
