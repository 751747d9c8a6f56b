import { describe, it, expect } from '@jest/globals';
import { isCalicoRule, ruleDeleteLine, type IpRule } from '../../../agent/host/ip-rules.js';

interface RuleFields {
  priority: number;
  src?: string;
  srclen?: number;
  fwmark?: string;
  table?: string;
}
const rule = (r: RuleFields, family: 4 | 6 = 4): IpRule => ({ ...r, family });
const wireguard: IpRule = { family: 4, priority: 99, not: null, src: 'all', fwmark: '0x100000', fwmask: '0x100000', table: '1' };

describe('ip rules', () => {
  it.each([
    ["WireGuard's rule", wireguard, new Set<string>(), true],
    ['a priority-99 rule to a table holding Calico routes', rule({ priority: 99, src: 'all', table: '7' }), new Set(['7']), true],
    ['a priority-99 rule to another table', rule({ priority: 99, src: 'all', table: '8' }), new Set(['7']), false],
    ['a rule at another priority to a Calico table', rule({ priority: 100, src: 'all', table: '7' }), new Set(['7']), false],
    ['the main rule', rule({ priority: 32766, src: 'all', table: 'main' }), new Set(['main']), false],
  ])('when the rule is %s, then Calico owns it: %s', (_what, rule, tables, owned) => {
    expect(isCalicoRule(rule, tables)).toBe(owned);
  });

  it.each([
    ["WireGuard's rule", wireguard, 'rule del priority 99 not fwmark 0x100000/0x100000 table 1'],
    ['a rule with a source', rule({ priority: 99, src: '10.0.0.0', srclen: 8, table: '7' }), 'rule del priority 99 from 10.0.0.0/8 table 7'],
    ['a mark without mask', rule({ priority: 99, src: 'all', fwmark: '0x1', table: '7' }, 6), 'rule del priority 99 fwmark 0x1 table 7'],
  ])('when removing %s, then the line names it exactly', (_what, rule, line) => {
    expect(ruleDeleteLine(rule)).toBe(line);
  });
});
