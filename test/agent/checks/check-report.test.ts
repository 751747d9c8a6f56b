import { describe, it, expect } from '@jest/globals';
import { parseCheckReport } from '../../../agent/checks/check-report.js';
import { BadRequestError } from '../../../shared/errors.js';
import type { CheckResult } from '../../../shared/checks.js';

const expectations = { expectedCidr: '10.245.0.0/16', peers: ['10.245.1.5', '10.245.2.9'], dnsName: 'kubernetes.default' };

const ok = (check: CheckResult['check'], target: string, detail = 'fine'): CheckResult => ({
  check,
  target,
  ok: true,
  latencyMs: 3,
  detail,
});
const allPassing = (): CheckResult[] => [
  ok('pod-cidr', '10.245.0.0/16', '10.245.3.4'),
  ok('api', 'https://10.96.0.1:443', 'HTTP 403'),
  ok('ping', '10.245.1.5', 'reply'),
  ok('ping', '10.245.2.9', 'reply'),
  ok('dns', 'kubernetes.default', '10.96.0.1'),
];
const message = (results: CheckResult[]): string => JSON.stringify({ version: 1, podIP: '10.245.3.4', results });

describe('parsing the check report', () => {
  it('when every expected check is present and passed, then the verdict is pass', () => {
    const v = parseCheckReport(message(allPassing()), expectations);
    expect(v.verdict).toBe('pass');
    expect(v.failures).toEqual([]);
    expect(v.report.podIP).toBe('10.245.3.4');
  });

  it('when a peer ping failed, then the verdict is fail naming that peer and the reason', () => {
    const results = allPassing().map((r) => (r.target === '10.245.2.9' ? { ...r, ok: false, detail: 'no reply' } : r));
    expect(parseCheckReport(message(results), expectations)).toMatchObject({
      verdict: 'fail',
      failures: [{ check: 'ping', target: '10.245.2.9', reason: 'no reply' }],
    });
  });

  it.each([
    ['pod-cidr', '10.245.0.0/16'],
    ['api', '(any)'],
    ['ping', '10.245.1.5'],
    ['dns', 'kubernetes.default'],
  ])('when the %s check is missing, then the verdict is fail: missing from the report', (check, target) => {
    const results = allPassing().filter((r) => !(r.check === check && (target === '(any)' || r.target === target)));
    expect(parseCheckReport(message(results), expectations).failures).toEqual([{ check, target, reason: 'missing from the report' }]);
  });

  it('when the report checked another CIDR than expected, then it counts as missing', () => {
    const results = allPassing().map((r) => (r.check === 'pod-cidr' ? { ...r, target: '10.244.0.0/16' } : r));
    expect(parseCheckReport(message(results), expectations).verdict).toBe('fail');
  });

  it.each([
    ['not JSON', 'Error: container killed'],
    ['empty', ''],
    ['wrong version', JSON.stringify({ version: 2, podIP: '', results: allPassing() })],
    ['an unknown check', JSON.stringify({ version: 1, podIP: '', results: [{ ...ok('api', 'x'), check: 'tcp' }] })],
    ['an extra field', JSON.stringify({ version: 1, podIP: '', results: allPassing(), extra: 1 })],
    ['no results', JSON.stringify({ version: 1, podIP: '', results: [] })],
    ['a negative latency', message([{ ...ok('api', 'x'), latencyMs: -1 }])],
    ['an empty target', message([ok('api', '')])],
  ])('when the message is %s, then it is rejected with a BadRequestError', (_what, text) => {
    expect(() => parseCheckReport(text, expectations)).toThrow(BadRequestError);
  });
});
