/** The README's `spec.probe` example is a spec the coordinator accepts, with the thresholds it documents. */
import { describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { parseMigrationSpec } from '../../coordinator/core/migration-spec.js';
import { readFileSync } from 'node:fs';
import { PEERS_PER_POD } from '../../coordinator/core/probe/peer-ring.js';
import { readmeBlock } from '../support/readme.js';

describe('the README on the zero-downtime probe', () => {
  it('when the spec.probe example is parsed, then it is valid and sets the three thresholds', () => {
    const doc = parse(readmeBlock('`spec.probe` halts the node in flight', 'yaml')) as { spec: unknown };
    const parsed = parseMigrationSpec(doc.spec);
    expect(parsed).toMatchObject({ ok: true, spec: { probe: { maxLossPercent: 1, maxGapMs: 2000, maxBrokenConnections: 0, minSamples: 20 } } });
  });

  it('when it says how many peers a probe pod probes, then those are the ring\'s numbers', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8').replace(/\s+/g, ' ');
    expect(readme).toContain(`in a cluster of up to ${PEERS_PER_POD + 1} nodes; in a larger one, ${PEERS_PER_POD} of them`);
    expect(readme).toContain(`every node is probed from ${PEERS_PER_POD} sides`);
  });
});
