import { describe, it, expect } from '@jest/globals';
import {
  applyNetworkEvent,
  initialNodeNetwork,
  ipInCidr,
  lowestFreeHost,
  nodeBlock,
  podAddress,
  type NetworkEvent,
  type Cni,
} from '../../../sim/cluster/network-model.js';

const label: NetworkEvent = { kind: 'label-observed', labelled: true };
const unlabel: NetworkEvent = { kind: 'label-observed', labelled: false };
const ciliumPod: NetworkEvent = { kind: 'cilium-pod-created' };
const reboot: NetworkEvent = { kind: 'rebooted' };

const run = (events: NetworkEvent[], start = initialNodeNetwork()): Cni =>
  events.reduce(applyNetworkEvent, start).active;

describe('network model: which CNI owns a node', () => {
  it.each<[string, NetworkEvent[], Cni]>([
    ['when nothing happened, then Calico', [], 'calico'],
    ['when only the label is set, then Calico', [label], 'calico'],
    ['when label and Cilium pod re-creation but no reboot, then Calico', [label, ciliumPod], 'calico'],
    ['when label, then Cilium pod, then reboot, then Cilium', [label, ciliumPod, reboot], 'cilium'],
    ['when the Cilium pod was re-created before the label, then a reboot keeps Calico', [ciliumPod, label, reboot], 'calico'],
    ['when label then reboot without re-creation, then Calico', [label, reboot], 'calico'],
    ['when the label is removed and the pod re-created and the node rebooted, then back to Calico', [label, ciliumPod, reboot, unlabel, ciliumPod, reboot], 'calico'],
    ['when the label is removed but the pod not re-created, then a reboot stays on Cilium', [label, ciliumPod, reboot, unlabel, reboot], 'cilium'],
    ['when the label is removed and the pod re-created but no reboot, then still Cilium', [label, ciliumPod, reboot, unlabel, ciliumPod], 'cilium'],
  ])('%s', (_name, events, expected) => {
    expect(run(events)).toBe(expected);
  });

  it('when the node switches twice, then switches counts both', () => {
    const s = [label, ciliumPod, reboot, unlabel, ciliumPod, reboot].reduce(applyNetworkEvent, initialNodeNetwork());
    expect(s.switches).toBe(2);
  });
});

describe('network model: addresses', () => {
  it.each<[string, number, number, string]>([
    ['10.244.0.0/16', 0, 2, '10.244.0.2'],
    ['10.244.0.0/16', 3, 17, '10.244.3.17'],
    ['10.245.0.0/16', 3, 17, '10.245.3.17'],
    ['192.168.0.0/16', 300, 5, '192.168.44.5'],
    ['10.0.0.0/8', 300, 5, '10.1.44.5'],
    ['10.42.16.0/20', 17, 9, '10.42.17.9'],
  ])('when pool %s block %i host %i, then %s', (pool, block, host, ip) => {
    expect(podAddress(pool, block, host)).toBe(ip);
    expect(ipInCidr(ip, nodeBlock(pool, block))).toBe(true);
    expect(ipInCidr(ip, pool)).toBe(true);
  });

  it.each<[string, string, boolean]>([
    ['10.245.3.4', '10.245.0.0/16', true],
    ['10.244.3.4', '10.245.0.0/16', false],
    ['10.244.3.4', '0.0.0.0/0', true],
    ['10.244.3.4', '10.244.3.4/32', true],
    ['10.244.3.5', '10.244.3.4/32', false],
    ['not-an-ip', '10.244.0.0/16', false],
    ['10.244.3.4', 'garbage', false],
    ['10.244.300.4', '10.244.0.0/16', false],
  ])('when %s is checked against %s, then %s', (ip, cidr, expected) => {
    expect(ipInCidr(ip, cidr)).toBe(expected);
  });

  it.each<[string, number[], number | undefined]>([
    ['none', [], 2],
    ['2 and 3', [2, 3], 4],
    ['2 and 4', [2, 4], 3],
    ['all of 2..254', Array.from({ length: 253 }, (_, i) => i + 2), undefined],
  ])('when hosts %s are used, then the lowest free is %s', (_what, used, expected) => {
    expect(lowestFreeHost(new Set(used))).toBe(expected);
  });
});
