import { describe, it, expect } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { V1DaemonSet, V1DaemonSetStatus, V1Pod } from '@kubernetes/client-node';
import { planDaemonSet, REVISION_HASH_LABEL, templateHash } from '../../../sim/cluster/daemonset-plan.js';
import { node, pod } from './fixtures.js';

const golden = (file: string): V1DaemonSet => {
  const exchange = JSON.parse(readFileSync(join('test/fixtures/k8s-golden', file), 'utf8')) as { response: { body: V1DaemonSet } };
  return exchange.response.body;
};

const nodes = [node('golden-cp'), node('golden-w1'), node('golden-w2')];
const podsOf = (ds: V1DaemonSet, opts: { ready: boolean; current: boolean }): V1Pod[] =>
  nodes.map((n, i) => pod(`cilium-${i}`, { node: n.metadata?.name ?? '', ready: opts.ready, labels: { [REVISION_HASH_LABEL]: opts.current ? templateHash(ds) : 'old' } }));

describe('DaemonSet status matches the real controller (golden 24, 25, 32, 33)', () => {
  it.each<[string, string, { ready: boolean; current: boolean }]>([
    ['when pods are bound but not yet Ready', '24-get-daemonset-pods-pending.json', { ready: false, current: true }],
    ['when every pod is Ready', '25-get-daemonset-ready.json', { ready: true, current: true }],
    ['when a restart was just requested and old pods still run', '32-get-daemonset-mid-rollout.json', { ready: true, current: false }],
    ['when the restart rollout completed', '33-get-daemonset-rollout-complete.json', { ready: true, current: true }],
  ])('%s, then the computed status equals the recorded one', (_name, file, state) => {
    const ds = golden(file);
    const expected: V1DaemonSetStatus | undefined = ds.status;
    expect(planDaemonSet(ds, nodes, podsOf(ds, state)).status).toEqual(expected);
  });
});
