import { describe, it, expect } from '@jest/globals';
import {
  classifyTable,
  hasCalicoState,
  isCalicoHookRule,
  isFelixChain,
} from '../../../agent/host/iptables/classify.js';
import { parseIptablesSave, tokenizeRuleSpec } from '../../../agent/host/iptables/parse.js';

describe('isFelixChain', () => {
  it.each([
    ['cali-INPUT', true],
    ['cali-tw-cali1234567890a', true],
    ['cali-pi-_abcdefghijklmnopqrs', true],
    ['califw-old', true],
    ['calitw-old', true],
    ['califh-old', true],
    ['calith-old', true],
    ['calipi-old', true],
    ['calipo-old', true],
    ['felix-FORWARD', true],
    ['calico-dhcp-ingress', false],
    ['calico', false],
    ['cali', false],
    ['KUBE-SERVICES', false],
    ['CILIUM_INPUT', false],
    ['DOCKER-USER', false],
    ['INPUT', false],
  ])('when the chain is %s, then Felix owns it: %s', (name, expected) => {
    expect(isFelixChain(name)).toBe(expected);
  });
});

describe('isCalicoHookRule', () => {
  it.each([
    ['a jump into a Felix chain', '-m comment --comment "cali:Cz_u1IQiXIMmKD4c" -j cali-INPUT', true],
    ['a goto into a Felix chain without comment', '-i cali+ -g cali-from-wl-dispatch', true],
    ['a long-form jump', '--jump felix-INPUT', true],
    ['a Felix append with a mark match', '-m comment --comment "cali:S93hcgKJrXEqnTfs" -m mark --mark 0x10000/0x10000 -j ACCEPT', true],
    ['an unquoted cali comment', '-m comment --comment cali:abc_-9 -j MARK --set-xmark 0x10000/0x10000', true],
    ['a cali comment after another comment', '-m comment --comment "kept" -m comment --comment "cali:x" -j DROP', true],
    ['a user rule on cali+ interfaces', '-i cali+ -j ACCEPT', false],
    ['a comment merely mentioning calico', '-m comment --comment "calico legacy note" -j ACCEPT', false],
    ['a comment with cali: in the middle', '-m comment --comment "see cali:abc" -j ACCEPT', false],
    ['a cali: comment with a space', '-m comment --comment "cali: abc" -j ACCEPT', false],
    ['a jump to calico-dhcp-ingress', '-i cali+ -p udp -m udp --dport 67 -j calico-dhcp-ingress', false],
    ['a kube-proxy rule', '-m comment --comment "kubernetes service portals" -j KUBE-SERVICES', false],
    ['a Cilium feeder', '-m comment --comment "cilium-feeder: CILIUM_INPUT" -j CILIUM_INPUT', false],
    ['a Calico ipset matched by a user rule', '-m set --match-set cali40s:abc src -j ACCEPT', false],
  ])('when the rule is %s, then it is Calico\'s: %s', (_name, spec, expected) => {
    expect(isCalicoHookRule(tokenizeRuleSpec(spec))).toBe(expected);
  });
});

const TABLE = parseIptablesSave(`*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:cali-INPUT - [0:0]
:cali-pi-_abc - [0:0]
:calico-dhcp-ingress - [0:0]
:KUBE-FORWARD - [0:0]
-A INPUT -m comment --comment "cali:aaaaaaaaaaaaaaaa" -j cali-INPUT
-A INPUT -m set --match-set user-allowlist src -j ACCEPT
-A INPUT -i cali+ -j calico-dhcp-ingress
-A FORWARD -j KUBE-FORWARD
-A FORWARD -m comment --comment "cali:bbbbbbbbbbbbbbbb" -j MARK --set-xmark 0x10000/0x10000
-A cali-INPUT -m set --match-set cali40s:xyz src -j cali-pi-_abc
-A cali-pi-_abc -j KUBE-FORWARD
-A calico-dhcp-ingress -m set ! --match-set other-set dst -j ACCEPT
-A KUBE-FORWARD -m set --match-set cali40s:also src -m comment --comment "cali:cccccccccccccccc" -j ACCEPT
COMMIT
`)[0];

describe('classifyTable', () => {
  it('when a table mixes Felix state with others, then hooks, Felix chains and survivors\' ipsets are told apart', () => {
    if (TABLE === undefined) throw new Error('fixture did not parse');
    const verdict = classifyTable(TABLE);
    expect(verdict.hookRules.map((r) => r.chain)).toEqual(['INPUT', 'FORWARD', 'KUBE-FORWARD']);
    expect(verdict.felixChains).toEqual(['cali-INPUT', 'cali-pi-_abc']);
    expect(verdict.rulesInFelixChains).toBe(2);
    expect(verdict.setsUsedBySurvivors).toEqual(['user-allowlist', 'other-set']);
    expect(hasCalicoState(verdict)).toBe(true);
  });

  it('when a table holds nothing of Calico\'s, then it has no Calico state', () => {
    const [table] = parseIptablesSave('*nat\n:KUBE-SERVICES - [0:0]\n-A KUBE-SERVICES -j RETURN\nCOMMIT\n');
    if (table === undefined) throw new Error('fixture did not parse');
    const verdict = classifyTable(table);
    expect(hasCalicoState(verdict)).toBe(false);
    expect(verdict.hookRules).toEqual([]);
  });
});
