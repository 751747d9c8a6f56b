import { describe, it, expect } from '@jest/globals';
import { generateFelixFixture, USER_IPSETS } from '../../support/felix-fixture.js';
import { isCalicoLine } from '../../support/iptables-snapshot.js';

const chainNames = (text: string): string[] =>
  text.split('\n').filter((l) => l.startsWith(':')).map((l) => l.slice(1).split(' ')[0] ?? '');

describe('generateFelixFixture', () => {
  it('when generated twice with one seed, then the output is identical; with another seed, it differs', () => {
    const a = generateFelixFixture({ calicoRules: 300, seed: 4 });
    expect(generateFelixFixture({ calicoRules: 300, seed: 4 })).toEqual(a);
    expect(generateFelixFixture({ calicoRules: 300, seed: 5 }).ipv4).not.toBe(a.ipv4);
  });

  it.each([100, 1000, 10000])('when asked for %i Calico rules, then each family holds that many (within one workload)', (n) => {
    const fx = generateFelixFixture({ calicoRules: n, seed: 1 });
    for (const family of ['ipv4', 'ipv6'] as const) {
      const text = fx[family];
      const counted = text.split('\n').filter((l) => l.startsWith('-A ') && isCalicoLine(l)).length;
      expect(counted).toBe(fx.calicoRules[family]);
      expect(counted).toBeGreaterThanOrEqual(n);
      expect(counted).toBeLessThan(n + 25);
    }
  });

  it('when generated, then every chain name fits iptables\' 28 characters and long policy names use cali-pi-_', () => {
    const fx = generateFelixFixture({ calicoRules: 500, seed: 2 });
    const names = chainNames(fx.ipv4);
    expect(Math.max(...names.map((n) => n.length))).toBeLessThanOrEqual(28);
    expect(names).toContainEqual(expect.stringMatching(/^cali-pi-_.{19}$/));
    for (const prefix of ['cali-tw-cali', 'cali-fw-cali', 'cali-po-_', 'cali-pri-', 'cali-pro-', 'cali-to-wl-dispatch-']) {
      expect({ prefix, found: names.some((n) => n.startsWith(prefix)) }).toEqual({ prefix, found: true });
    }
  });

  it('when generated, then it carries the neighbours and the decoys a cleanup must keep', () => {
    const fx = generateFelixFixture({ calicoRules: 100, seed: 3 });
    for (const needle of ['KUBE-IPTABLES-HINT', 'KUBE-KUBELET-CANARY', ':KUBE-SVC-', ':KUBE-SEP-', 'KUBE-FORWARD',
      '"cilium-feeder: CILIUM_INPUT"', 'DOCKER-USER', 'DOCKER-ISOLATION-STAGE-1', ':calico-dhcp-ingress',
      '-i cali+ -m comment', '"calico legacy note"', `--match-set ${USER_IPSETS.ipv4} src`]) {
      expect(fx.ipv4).toContain(needle);
    }
    expect(fx.ipv6).toContain(`--match-set ${USER_IPSETS.ipv6} src`);
  });

  it('when generated, then every ipset the rules name is listed once, with Calico\'s names within 31 characters', () => {
    const fx = generateFelixFixture({ calicoRules: 400, seed: 6 });
    const used = new Set([...`${fx.ipv4}\n${fx.ipv6}`.matchAll(/--match-set (\S+)/g)].map((m) => m[1]));
    expect(new Set(fx.ipsets.map((s) => s.name))).toEqual(used);
    expect(fx.ipsets.filter((s) => s.owner === 'user').map((s) => s.name)).toEqual([USER_IPSETS.ipv4, USER_IPSETS.ipv6]);
    expect(fx.ipsets.map((s) => s.name).filter((n) => n.length > 31)).toEqual([]);
    expect(fx.ipsetRestore.split('\n').filter((l) => l.startsWith('create '))).toHaveLength(fx.ipsets.length);
  });
});
