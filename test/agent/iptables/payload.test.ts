import { describe, it, expect } from '@jest/globals';
import { buildTablePayload, ruleAppendLine, ruleDeleteLine } from '../../../agent/host/iptables/payload.js';

describe('buildTablePayload', () => {
  it('when a table has hooks and Felix chains, then the payload deletes hooks, then flushes, then deletes chains, in one COMMIT', () => {
    const payload = buildTablePayload(
      'filter',
      [
        { chain: 'INPUT', spec: '-m comment --comment "cali:Cz_u1IQiXIMmKD4c" -j cali-INPUT' },
        { chain: 'FORWARD', spec: '-m comment --comment "cali:x\\"y" -j ACCEPT' },
      ],
      ['cali-INPUT', 'cali-tw-cali0123456789a'],
    );
    expect(payload).toBe(
      [
        '*filter',
        '-D INPUT -m comment --comment "cali:Cz_u1IQiXIMmKD4c" -j cali-INPUT',
        '-D FORWARD -m comment --comment "cali:x\\"y" -j ACCEPT',
        ':cali-INPUT - [0:0]',
        ':cali-tw-cali0123456789a - [0:0]',
        '-X cali-INPUT',
        '-X cali-tw-cali0123456789a',
        'COMMIT',
        '',
      ].join('\n'),
    );
  });

  it('when only hooks remain (no Felix chain), then the payload only deletes them', () => {
    expect(buildTablePayload('nat', [{ chain: 'POSTROUTING', spec: '-j cali-POSTROUTING' }], [])).toBe(
      '*nat\n-D POSTROUTING -j cali-POSTROUTING\nCOMMIT\n',
    );
  });

  it.each([
    [{ chain: 'INPUT', spec: '-j ACCEPT' }, '-D INPUT -j ACCEPT', '-A INPUT -j ACCEPT'],
    [{ chain: 'INPUT', spec: '' }, '-D INPUT', '-A INPUT'],
  ])('when the rule is %j, then its delete line is %s and its saved line %s', (rule, del, append) => {
    expect(ruleDeleteLine(rule)).toBe(del);
    expect(ruleAppendLine(rule)).toBe(append);
  });
});
