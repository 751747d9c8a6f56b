import { describe, expect, it } from '@jest/globals';
import { decodeProblem, normaliseMicroTime } from '../../../sim/apiserver/decode-checks.js';
import { ResourceRegistry } from '../../../sim/apiserver/resources.js';

const registry = new ResourceRegistry();
const lease = registry.find('coordination.k8s.io', 'v1', 'leases');
const node = registry.find('', 'v1', 'nodes');

describe('decode checks', () => {
  it.each([
    ['2026-11-26T16:05:00.123456Z', undefined],
    ['2026-11-26T18:05:00.123456+02:00', undefined],
    ['2026-11-26T16:05:00Z', 'parsing time "2026-11-26T16:05:00Z" as "2006-01-02T15:04:05.000000Z07:00": cannot parse "Z" as ".000000"'],
    ['2026-11-26T16:05:00.123Z', 'parsing time "2026-11-26T16:05:00.123Z" as "2006-01-02T15:04:05.000000Z07:00": cannot parse ".123Z" as ".000000"'],
  ])('when a Lease renewTime is %p, then the decode problem is %p', (renewTime, want) => {
    expect(lease && decodeProblem(lease, { metadata: { name: 'l' }, spec: { renewTime } })).toBe(want);
  });

  it('when an offset MicroTime is normalised, then it is the same instant in Z with the six digits kept', () => {
    expect(normaliseMicroTime('2026-11-26T18:05:00.123456+02:00')).toBe('2026-11-26T16:05:00.123456Z');
    expect(normaliseMicroTime('2026-11-26T16:05:00.000001Z')).toBe('2026-11-26T16:05:00.000001Z');
  });

  it('when a label value is not a string, then the problem reads like Go’s decoder', () => {
    expect(node && decodeProblem(node, { metadata: { labels: { a: true } } })).toBe('json: cannot unmarshal bool into Go struct field ObjectMeta.metadata.labels of type string');
    expect(node && decodeProblem(node, { metadata: { labels: { a: 'b' }, annotations: { x: 'y' } } })).toBeUndefined();
  });
});
