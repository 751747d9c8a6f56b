/** The README's `spec.probe` example is a spec the coordinator accepts, with the thresholds it documents. */
import { describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { parseMigrationSpec } from '../../coordinator/core/migration-spec.js';
import { readmeBlock } from '../support/readme.js';

describe('the README on the zero-downtime probe', () => {
  it('when the spec.probe example is parsed, then it is valid and sets the three thresholds', () => {
    const doc = parse(readmeBlock('`spec.probe` halts the node in flight', 'yaml')) as { spec: unknown };
    const parsed = parseMigrationSpec(doc.spec);
    expect(parsed).toMatchObject({ ok: true, spec: { probe: { maxLossPercent: 1, maxGapMs: 2000, maxBrokenConnections: 0, minSamples: 20 } } });
  });
});
