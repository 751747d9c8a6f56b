import { describe, it, expect } from '@jest/globals';
import { buildNode, heartbeatStatus, leaseRenewal, nodeInternalIP } from '../../../sim/cluster/node-objects.js';
import { nodeIdentities } from '../../../sim/cluster/node-registry.js';

describe('simulated node objects', () => {
  it.each<[number, string]>([
    [0, '172.18.0.2'],
    [253, '172.18.0.255'],
    [254, '172.18.1.0'],
    [4999, '172.18.19.137'],
  ])('when the node index is %i, then its InternalIP is %s', (index, ip) => {
    expect(nodeInternalIP(index)).toBe(ip);
  });

  it('when the layout is 1 control plane and 3 nodes, then names and roles follow the convention', () => {
    expect(nodeIdentities({ nodes: 3, controlPlanes: 1 }).map((n) => [n.name, n.controlPlane])).toEqual([
      ['sim-cp-1', true],
      ['sim-worker-1', false],
      ['sim-worker-2', false],
    ]);
  });

  it('when a control-plane node is built, then it has the role label, the NoSchedule taint and a pod CIDR', () => {
    const [cp] = nodeIdentities({ nodes: 1, controlPlanes: 1 });
    const node = buildNode(cp!);
    expect(node.metadata?.labels).toMatchObject({ 'kubernetes.io/hostname': 'sim-cp-1', 'kubernetes.io/os': 'linux', 'node-role.kubernetes.io/control-plane': '' });
    expect(node.spec?.taints).toEqual([{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }]);
    expect(node.spec?.podCIDR).toBe('10.244.0.0/24');
  });

  it.each<[boolean, string, string]>([
    [true, 'True', 'KubeletReady'],
    [false, 'Unknown', 'NodeStatusUnknown'],
  ])('when the kubelet is up=%s, then Ready is %s (%s) and the boot id is reported', (up, status, reason) => {
    const [id] = nodeIdentities({ nodes: 1, controlPlanes: 0 });
    const now = new Date('2026-11-26T16:00:00Z');
    const s = heartbeatStatus(id!, { ready: up, cni: 'calico', bootId: 'b-1', now, readySince: now });
    expect(s.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ status, reason });
    expect(s.nodeInfo).toMatchObject({ bootID: 'b-1', kubeletVersion: 'v1.28.7', kernelVersion: '6.1.0-18-amd64' });
  });

  it('when a Lease is renewed, then renewTime carries exactly six fractional digits (MicroTime)', () => {
    expect(leaseRenewal(new Date('2026-11-26T16:05:00.123Z'))).toEqual({ spec: { renewTime: '2026-11-26T16:05:00.123000Z' } });
  });
});
