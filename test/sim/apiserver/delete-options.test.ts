import { describe, expect, it } from '@jest/globals';
import { decodeDeleteOptions } from '../../../sim/apiserver/delete-options.js';
import { KubeStatusError } from '../../../sim/apiserver/status.js';

const q = (s: string): URLSearchParams => new URLSearchParams(s);

function codeOf(f: () => unknown): number | undefined {
  try {
    f();
  } catch (e) {
    return e instanceof KubeStatusError ? e.statusCode : -1;
  }
  return undefined;
}

describe('DeleteOptions decoded as a real DELETE handler decodes them', () => {
  it('when the request has a body, then every query parameter is ignored', () => {
    const opts = decodeDeleteOptions({ query: q('gracePeriodSeconds=0&dryRun=All&propagationPolicy=Orphan'), body: { preconditions: { uid: 'u1' } } });
    expect(opts).toEqual({ dryRun: false, preconditionUid: 'u1' });
  });

  it('when grace 0 and the uid precondition are both in the body, then both apply', () => {
    expect(decodeDeleteOptions({ query: q(''), body: { kind: 'DeleteOptions', apiVersion: 'v1', gracePeriodSeconds: 0, preconditions: { uid: 'u1' } } })).toEqual({
      dryRun: false,
      gracePeriodSeconds: 0,
      preconditionUid: 'u1',
    });
  });

  it('when there is no body, then the query is read (orphanDependents too)', () => {
    expect(decodeDeleteOptions({ query: q('gracePeriodSeconds=5&dryRun=All&orphanDependents=true'), body: undefined })).toEqual({ dryRun: true, gracePeriodSeconds: 5, orphan: true });
  });

  it('when a grace period is negative, then it is accepted (a pod then gets 1 s), not refused', () => {
    expect(decodeDeleteOptions({ query: q('gracePeriodSeconds=-1'), body: undefined }).gracePeriodSeconds).toBe(-1);
  });

  it('when a value is unsupported, then it is 422 Invalid (propagationPolicy, dryRun, orphanDependents beside a policy)', () => {
    expect(codeOf(() => decodeDeleteOptions({ query: q('propagationPolicy=Later'), body: undefined }))).toBe(422);
    expect(codeOf(() => decodeDeleteOptions({ query: q(''), body: { dryRun: ['Yes'] } }))).toBe(422);
    expect(codeOf(() => decodeDeleteOptions({ query: q(''), body: { orphanDependents: false, propagationPolicy: 'Background' } }))).toBe(422);
  });

  it('when a value cannot be decoded, then it is 400 (a string grace, a non-number query grace, another kind)', () => {
    expect(codeOf(() => decodeDeleteOptions({ query: q(''), body: { gracePeriodSeconds: '0' } }))).toBe(400);
    expect(codeOf(() => decodeDeleteOptions({ query: q('gracePeriodSeconds=now'), body: undefined }))).toBe(400);
    expect(codeOf(() => decodeDeleteOptions({ query: q(''), body: { kind: 'Pod', apiVersion: 'v1' } }))).toBe(400);
  });

  it('when the body holds a field DeleteOptions lacks, then it is ignored (the decoder is not strict)', () => {
    expect(decodeDeleteOptions({ query: q(''), body: { gracePeriodSeconds: 3, extra: true } })).toEqual({ dryRun: false, gracePeriodSeconds: 3 });
  });
});
