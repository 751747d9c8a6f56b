import { describe, expect, it } from '@jest/globals';
import type { V1Pod } from '@kubernetes/client-node';
import { pdbsProtecting, planDrain, selectorMatches } from '../../../coordinator/core/drain-plan.js';
import { choosePeers, nodesHostingPeers, peerKindOf } from '../../../coordinator/core/peers.js';

interface PodOpts {
  owner?: string;
  mirror?: boolean;
  deleting?: boolean;
  emptyDir?: boolean;
  node?: string;
  ip?: string;
  phase?: string;
  hostNetwork?: boolean;
  labels?: Record<string, string>;
  ns?: string;
}

const metadataOf = (name: string, o: PodOpts): V1Pod['metadata'] => ({
  name,
  namespace: o.ns ?? 'app',
  uid: `uid-${name}`,
  labels: o.labels ?? { app: 'web' },
  ...(o.mirror ? { annotations: { 'kubernetes.io/config.mirror': 'x' } } : {}),
  ...(o.deleting ? { deletionTimestamp: new Date() } : {}),
  ownerReferences: o.owner === undefined ? [] : [{ apiVersion: 'apps/v1', kind: o.owner, name: 'o', uid: 'o', controller: true }],
});

const specOf = (o: PodOpts): V1Pod['spec'] => ({
  nodeName: o.node ?? 'w1',
  containers: [],
  ...(o.hostNetwork ? { hostNetwork: true } : {}),
  ...(o.emptyDir ? { volumes: [{ name: 'tmp', emptyDir: {} }] } : {}),
});

function pod(name: string, o: PodOpts = {}): V1Pod {
  return {
    metadata: metadataOf(name, o),
    spec: specOf(o),
    status: { phase: o.phase ?? 'Running', ...(o.ip ? { podIP: o.ip } : {}) },
  };
}

describe('drain plan', () => {
  const opts = { force: false, deleteEmptyDirData: false };
  it.each([
    { what: 'a ReplicaSet pod', p: pod('p', { owner: 'ReplicaSet' }), o: opts, evicted: ['p'], refusals: 0 },
    { what: 'a DaemonSet pod', p: pod('p', { owner: 'DaemonSet' }), o: opts, evicted: [], refusals: 0 },
    { what: 'a mirror pod', p: pod('p', { mirror: true }), o: opts, evicted: [], refusals: 0 },
    { what: 'a terminating pod', p: pod('p', { owner: 'ReplicaSet', deleting: true }), o: opts, evicted: [], refusals: 0 },
    { what: 'a pod with no controller', p: pod('p'), o: opts, evicted: [], refusals: 1 },
    { what: 'a pod with no controller, forced', p: pod('p'), o: { ...opts, force: true }, evicted: ['p'], refusals: 0 },
    { what: 'an emptyDir pod', p: pod('p', { owner: 'ReplicaSet', emptyDir: true }), o: opts, evicted: [], refusals: 1 },
    {
      what: 'an emptyDir pod, data deletion allowed',
      p: pod('p', { owner: 'ReplicaSet', emptyDir: true }),
      o: { ...opts, deleteEmptyDirData: true },
      evicted: ['p'],
      refusals: 0,
    },
  ])('when the node runs $what, then the plan is as expected', ({ p, o, evicted, refusals }) => {
    const plan = planDrain([p], o);
    expect(plan.evict.map((x) => x.metadata?.name)).toEqual(evicted);
    expect(plan.refused).toHaveLength(refusals);
  });

  it('when a pod is refused, then the reason names it and the way out', () => {
    expect(planDrain([pod('bare')], opts).refused).toEqual(['pod app/bare has no controller (set drain.force to evict it)']);
  });

  it.each([
    [undefined, {}, true],
    [{ matchLabels: { app: 'web' } }, { app: 'web' }, true],
    [{ matchLabels: { app: 'web' } }, { app: 'db' }, false],
    [{ matchExpressions: [{ key: 'tier', operator: 'In', values: ['a', 'b'] }] }, { tier: 'b' }, true],
    [{ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['a'] }] }, { tier: 'a' }, false],
    [{ matchExpressions: [{ key: 'tier', operator: 'Exists' }] }, {}, false],
    [{ matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' }] }, {}, true],
    [{ matchExpressions: [{ key: 'tier', operator: 'Bogus' }] }, { tier: 'a' }, false],
  ])('when selector %j meets labels %j, then it matches: %s', (sel, labels, matches) => {
    expect(selectorMatches(sel, labels)).toBe(matches);
  });

  it('when PDBs exist, then only those of the pod\'s namespace selecting it are named', () => {
    const pdb = (name: string, ns: string, app: string) => ({ metadata: { name, namespace: ns }, spec: { selector: { matchLabels: { app } } } });
    const pdbs = [pdb('web-pdb', 'app', 'web'), pdb('db-pdb', 'app', 'db'), pdb('other', 'elsewhere', 'web')];
    expect(pdbsProtecting(pod('p'), pdbs)).toEqual(['app/web-pdb']);
  });
});

describe('validation peers', () => {
  const kinds: Record<string, 'cilium' | 'calico'> = { c1: 'cilium', c2: 'cilium', k1: 'calico', k2: 'calico', k3: 'calico' };
  const kindOf = (n: string) => kinds[n];

  it('when pods run on both kinds of node, then up to two of each are chosen, CoreDNS first, one per node', () => {
    const pods = [
      pod('web-a', { node: 'k1', ip: '10.244.1.3' }),
      pod('coredns-1', { node: 'k2', ip: '10.244.2.2', ns: 'kube-system', labels: { 'k8s-app': 'kube-dns' } }),
      pod('web-b', { node: 'k2', ip: '10.244.2.9' }),
      pod('web-c', { node: 'c1', ip: '10.245.1.4' }),
      pod('web-d', { node: 'c1', ip: '10.245.1.5' }),
      pod('web-e', { node: 'c2', ip: '10.245.2.4' }),
      pod('web-f', { node: 'k3', ip: '10.244.3.4' }),
    ];
    expect(choosePeers({ pods, kindOf, self: 'x' })).toEqual(['10.245.1.4', '10.245.2.4', '10.244.2.2', '10.244.1.3']);
  });

  it('when Calico nodes wait in the grant queue, then Calico peers come from the nodes granted last', () => {
    const pods = [
      pod('coredns-1', { node: 'k1', ip: '10.244.1.2', ns: 'kube-system', labels: { 'k8s-app': 'kube-dns' } }),
      pod('web-a', { node: 'k2', ip: '10.244.2.3' }),
      pod('web-b', { node: 'k3', ip: '10.244.3.4' }),
    ];
    const queue: Record<string, number> = { k1: 0, k2: 1, k3: 2 };
    const grantRank = (n: string) => queue[n] ?? Infinity;
    // k1 is next in line and could be drained while this node validates: its CoreDNS pod is not chosen.
    expect(choosePeers({ pods, kindOf, self: 'x', grantRank })).toEqual(['10.244.3.4', '10.244.2.3']);
  });

  it('when the last Calico nodes are granted but not cordoned yet (still Pending), then their pods are not peers: their drain is next', () => {
    const pods = [pod('web-a', { node: 'k2', ip: '10.244.2.3' }), pod('web-b', { node: 'k3', ip: '10.244.3.4' })];
    const grantRank = (n: string) => ({ k2: 1, k3: 2 })[n] ?? Infinity;
    const granted = new Set(['k3']);
    const kindOfNow = (n: string) => peerKindOf('Pending', granted.has(n));
    expect(choosePeers({ pods, kindOf: kindOfNow, self: 'x', grantRank })).toEqual(['10.244.2.3']);
    expect(peerKindOf('Done', false)).toBe('cilium');
    expect(peerKindOf('Done', true)).toBeUndefined();
  });

  it.each([
    ['on the node itself', pod('p', { node: 'self', ip: '10.1.1.1' })],
    ['hostNetwork', pod('p', { node: 'k1', ip: '10.1.1.1', hostNetwork: true })],
    ['not Running', pod('p', { node: 'k1', ip: '10.1.1.1', phase: 'Pending' })],
    ['without an IP', pod('p', { node: 'k1' })],
    ['terminating', pod('p', { node: 'k1', ip: '10.1.1.1', deleting: true })],
    ['on an in-flight node', pod('p', { node: 'busy', ip: '10.1.1.1' })],
  ])('when a pod is %s, then it is never a peer', (_w, p) => {
    expect(choosePeers({ pods: [p], kindOf: (n) => (n === 'self' ? 'calico' : kindOf(n)), self: 'self' })).toEqual([]);
  });
});

describe('grants that would drain a validation peer away', () => {
  const pods = [
    pod('web-a', { node: 'k2', ip: '10.244.2.3' }),
    pod('web-b', { node: 'k3', ip: '10.244.3.4' }),
    pod('web-c', { node: 'c1', ip: '10.245.1.4' }),
  ];

  it('when a validation pings pod IPs, then the nodes hosting those pods are found', () => {
    expect(nodesHostingPeers(new Set(['10.244.3.4', '10.245.1.4', '10.9.9.9']), pods)).toEqual(new Set(['k3', 'c1']));
  });
});
