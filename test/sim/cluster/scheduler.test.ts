import { describe, it, expect } from '@jest/globals';
import type { V1Node, V1PodSpec } from '@kubernetes/client-node';
import { loadOf, pickNode } from '../../../sim/cluster/scheduler.js';
import { podFitsNode, toleratesTaint } from '../../../sim/cluster/placement.js';
import { node, pod } from './fixtures.js';

const plain: V1PodSpec = { containers: [{ name: 'c' }] };
const cpTaint = { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' };

describe('placement: taints and tolerations', () => {
  it.each<[string, V1PodSpec, V1Node, boolean]>([
    ['when the node is plain, then a plain pod fits', plain, node('a'), true],
    ['when the node is tainted, then a plain pod does not fit', plain, node('a', { taints: [cpTaint] }), false],
    ['when the pod tolerates everything, then it fits a tainted node', { ...plain, tolerations: [{ operator: 'Exists' }] }, node('a', { taints: [cpTaint] }), true],
    ['when the pod tolerates the key, then it fits', { ...plain, tolerations: [{ key: cpTaint.key, operator: 'Exists', effect: 'NoSchedule' }] }, node('a', { taints: [cpTaint] }), true],
    ['when the node is cordoned, then a plain pod does not fit', plain, node('a', { unschedulable: true }), false],
    ['when the nodeSelector does not match, then it does not fit', { ...plain, nodeSelector: { zone: 'b' } }, node('a', { labels: { zone: 'a' } }), false],
    ['when the nodeSelector matches, then it fits', { ...plain, nodeSelector: { zone: 'a' } }, node('a', { labels: { zone: 'a' } }), true],
    ['when the taint is only PreferNoSchedule, then it fits', plain, node('a', { taints: [{ key: 'x', effect: 'PreferNoSchedule' }] }), true],
  ])('%s', (_name, spec, n, expected) => {
    expect(podFitsNode(spec, n)).toBe(expected);
  });

  it('when a toleration names a value, then only that value is tolerated', () => {
    const t = [{ key: 'k', operator: 'Equal', value: 'v', effect: 'NoSchedule' }];
    expect(toleratesTaint(t, { key: 'k', value: 'v', effect: 'NoSchedule' })).toBe(true);
    expect(toleratesTaint(t, { key: 'k', value: 'w', effect: 'NoSchedule' })).toBe(false);
  });
});

describe('scheduler: pickNode', () => {
  const nodes = [node('w1'), node('w2'), node('w3')];

  it.each<[string, V1Node[], string[], string | undefined]>([
    ['when all nodes are empty, then the first by name', nodes, [], 'w1'],
    ['when w1 holds a replica of the same owner, then w2', nodes, ['w1'], 'w2'],
    ['when w1 and w2 hold replicas, then w3', nodes, ['w1', 'w2'], 'w3'],
    ['when w1 is cordoned, then w2', [node('w1', { unschedulable: true }), node('w2')], [], 'w2'],
    ['when w1 is NotReady, then w2', [node('w1', { ready: false }), node('w2')], [], 'w2'],
    ['when no node fits, then none', [node('w1', { unschedulable: true })], [], undefined],
  ])('%s', (_name, candidates, occupied, expected) => {
    const load = loadOf(occupied.map((n, i) => pod(`p${i}`, { node: n, owner: 'rs' })));
    expect(pickNode(plain, 'rs', candidates, load)).toBe(expected);
  });

  it('when another owner fills w1, then the pod spreads by total load to w2', () => {
    const load = loadOf([pod('x', { node: 'w1', owner: 'other' })]);
    expect(pickNode(plain, 'rs', nodes, load)).toBe('w2');
  });

  it('when pods are terminating or finished, then they do not count as load', () => {
    const load = loadOf([pod('x', { node: 'w1', owner: 'rs', terminating: true }), pod('y', { node: 'w1', owner: 'rs', phase: 'Succeeded' })]);
    expect(pickNode(plain, 'rs', nodes, load)).toBe('w1');
  });
});
