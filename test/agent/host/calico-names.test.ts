import { describe, it, expect } from '@jest/globals';
import { isCalicoIpset, isCalicoLink, isCalicoRouteProtocol } from '../../../agent/host/calico-names.js';

describe('what belongs to Calico', () => {
  it.each([
    ['cali40all-ipam-pools', true],
    ['cali60masq-ipam-pools', true],
    ['cali4t0', true],
    ['cali6t12', true],
    ['felix-old', true],
    ['cali-something', false],
    ['KUBE-NODE-PORT', false],
    ['cilium_node_set_v4', false],
  ])('when the ipset is %s, then Calico owns it: %s', (name, owned) => {
    expect(isCalicoIpset(name)).toBe(owned);
  });

  it.each([
    ['vxlan.calico', true],
    ['vxlan-v6.calico', true],
    ['wireguard.cali', true],
    ['wg-v6.cali', true],
    ['cali0123456789a', true],
    ['caliabcdefabcde', true],
    ['cali0123456789', false],
    ['cali0123456789ab', false],
    ['calico-dummy', false],
    ['cilium_host', false],
    ['tunl0', false],
    ['eth0', false],
  ])('when the link is %s, then it is deleted: %s', (name, owned) => {
    expect(isCalicoLink(name)).toBe(owned);
  });

  it.each([
    ['bird', 'eth0', true],
    ['12', undefined, true],
    ['80', 'eth0', true],
    ['3', 'cali0123456789a', true],
    ['boot', 'vxlan.calico', true],
    ['3', 'vxlan-v6.calico', true],
    ['3', 'eth0', false],
    ['boot', 'calico-dummy', false],
    ['3', undefined, false],
    ['2', 'vxlan.calico', false],
    ['kernel', 'cali0123456789a', false],
    [undefined, 'vxlan.calico', false],
  ])('when a route has proto %s on dev %s, then it is Calico\'s: %s', (proto, dev, owned) => {
    expect(isCalicoRouteProtocol(proto, dev)).toBe(owned);
  });
});
