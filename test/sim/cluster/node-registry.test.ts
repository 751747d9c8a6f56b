import { describe, it, expect } from '@jest/globals';
import type { V1Node } from '@kubernetes/client-node';
import { buildNode, NODE_PREFIX_LABEL, SIMULATED_NODE_LABEL, simulatedNodeSelector } from '../../../sim/cluster/node-objects.js';
import { freeIndexes, indexesInUse, nodeIdentities, NodeRegistry, type SimNodeState } from '../../../sim/cluster/node-registry.js';
import { parseSimOptions } from '../../../sim/cluster/sim-options.js';

const existingNode = (name: string, podCIDR: string | undefined, internalIP: string): V1Node => ({
  metadata: { name },
  ...(podCIDR ? { spec: { podCIDR } } : {}),
  status: { addresses: [{ type: 'InternalIP', address: internalIP }, { type: 'Hostname', address: name }] },
});

describe('simulated node identities beside other nodes', () => {
  it('when a prefix is given, then every name starts with it', () => {
    expect(nodeIdentities({ nodes: 3, controlPlanes: 1, prefix: 'demo' }).map((n) => n.name)).toEqual(['demo-cp-1', 'demo-worker-1', 'demo-worker-2']);
  });

  it('when some indexes are taken, then the nodes get the lowest free ones, with addresses to match', () => {
    const ids = nodeIdentities({ nodes: 3, controlPlanes: 1, prefix: 'demo', takenIndexes: new Set([0, 2]) });
    expect(ids.map((n) => [n.name, n.index, n.internalIP])).toEqual([
      ['demo-cp-1', 1, '172.18.0.3'],
      ['demo-worker-1', 3, '172.18.0.5'],
      ['demo-worker-2', 4, '172.18.0.6'],
    ]);
  });

  it.each<[number, number[], number[]]>([
    [2, [], [0, 1]],
    [2, [0, 1], [2, 3]],
    [3, [1, 3], [0, 2, 4]],
  ])('when %i indexes are wanted and %j are taken, then %j are free', (count, taken, free) => {
    expect(freeIndexes(count, new Set(taken))).toEqual(free);
  });

  it('when the cluster has other nodes, then their pod blocks and simulated addresses are in use, ours are not', () => {
    const nodes = [
      existingNode('host-cp-1', '10.244.0.0/24', '172.18.0.2'),
      existingNode('real-1', '10.244.7.0/24', '192.168.1.10'),
      existingNode('real-2', undefined, '172.18.1.0'),
      existingNode('demo-cp-1', '10.244.9.0/24', '172.18.0.11'),
    ];
    expect([...indexesInUse(nodes, new Set(['demo-cp-1']))].sort((a, b) => a - b)).toEqual([0, 7, 254]);
  });

  it('when a simulated node is built, then it carries the simulated label and its simulation prefix, which the selector matches', () => {
    const [id] = nodeIdentities({ nodes: 1, controlPlanes: 1, prefix: 'demo' });
    expect(buildNode(id!).metadata?.labels).toMatchObject({ [SIMULATED_NODE_LABEL]: 'true', [NODE_PREFIX_LABEL]: 'demo' });
    expect(simulatedNodeSelector('demo')).toBe(`${SIMULATED_NODE_LABEL}=true,${NODE_PREFIX_LABEL}=demo`);
  });

  it.each<[string]>([['Demo'], ['-demo'], ['demo-'], ['de_mo'], [''], ['x'.repeat(41)]])(
    'when the node prefix is %j, then the options are rejected as not an RFC 1123 label prefix',
    (nodePrefix) => {
      expect(() => parseSimOptions({ nodes: 1, nodePrefix })).toThrow('nodePrefix');
    },
  );

  it('when no node prefix is given, then it is sim', () => {
    expect(parseSimOptions({ nodes: 1 }).nodePrefix).toBe('sim');
  });
});

describe('finding a running pod by its pod-network address', () => {
  const registry = (): { r: NodeRegistry; a: SimNodeState; b: SimNodeState } => {
    const r = new NodeRegistry();
    const [idA, idB] = nodeIdentities({ nodes: 2, controlPlanes: 0 });
    return { r, a: r.add(idA!, new Date(0)), b: r.add(idB!, new Date(0)) };
  };
  const start = (r: NodeRegistry, node: SimNodeState, uid: string, hostNetwork = false): string =>
    r.startPod(node, uid, { hostNetwork, ready: true, now: new Date(0) }).ip;

  it('when pods run on two nodes, then each address finds its own pod and node', () => {
    const { r, a, b } = registry();
    const ipA = start(r, a, 'pa');
    const ipB = start(r, b, 'pb');
    expect(r.findByIp(ipA)?.node.id.name).toBe(a.id.name);
    expect(r.findByIp(ipB)?.node.id.name).toBe(b.id.name);
    expect(r.findByIp(ipB)?.runtime).toBe(b.pods.get('pb'));
  });

  it('when a pod stops, its node powers off, or the pod finished, then its address finds nothing', () => {
    const { r, a, b } = registry();
    const stopped = start(r, a, 'p1');
    const finished = start(r, a, 'p2');
    const poweredOff = start(r, b, 'p3');
    r.stopPod(a, 'p1');
    a.pods.get('p2')!.finished = true;
    r.stopAll(b);
    expect([r.findByIp(stopped), r.findByIp(finished), r.findByIp(poweredOff)]).toEqual([undefined, undefined, undefined]);
  });

  it('when a stopped pod\'s address is handed to a new pod, then the address finds the new pod', () => {
    const { r, a } = registry();
    const ip = start(r, a, 'old');
    r.stopPod(a, 'old');
    expect(start(r, a, 'new')).toBe(ip);
    expect(r.findByIp(ip)?.runtime).toBe(a.pods.get('new'));
  });

  it('when a pod uses the host network, then the node address does not find it', () => {
    const { r, a } = registry();
    expect(r.findByIp(start(r, a, 'host', true))).toBeUndefined();
  });
});
