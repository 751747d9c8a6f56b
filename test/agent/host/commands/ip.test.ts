import { describe, it, expect } from '@jest/globals';
import { ipBatchArgv, listLinksArgv, listRoutesArgv, listRulesArgv } from '../../../../agent/host/commands/ip.js';
import { ipsetDestroyPayload, ipsetRestoreArgv, listIpsetNamesArgv } from '../../../../agent/host/commands/ipset.js';
import { rebootArgv } from '../../../../agent/host/commands/reboot.js';

describe('host command argv', () => {
  it.each([
    ['routes v4', listRoutesArgv(4), ['ip', '-4', '-N', '-j', '-d', 'route', 'show', 'table', 'all']],
    ['routes v6', listRoutesArgv(6), ['ip', '-6', '-N', '-j', '-d', 'route', 'show', 'table', 'all']],
    ['rules v4', listRulesArgv(4), ['ip', '-4', '-j', 'rule', 'show']],
    ['rules v6', listRulesArgv(6), ['ip', '-6', '-j', 'rule', 'show']],
    ['links', listLinksArgv(), ['ip', '-j', '-d', 'address', 'show']],
    ['batch any family', ipBatchArgv(), ['ip', '-force', '-batch', '-']],
    ['batch v6', ipBatchArgv(6), ['ip', '-6', '-force', '-batch', '-']],
    ['ipset names', listIpsetNamesArgv(), ['ipset', 'list', '-n']],
    ['ipset restore', ipsetRestoreArgv(), ['ipset', 'restore']],
    ['reboot via systemd', rebootArgv('systemctl'), ['nsenter', '-m/proc/1/ns/mnt', '--', '/bin/systemctl', 'reboot']],
    ['reboot via signal', rebootArgv('signal'), ['kill', '-s', 'SIGRTMIN+5', '1']],
  ])('when building %s, then the argv is exact', (_what, argv, expected) => {
    expect(argv).toEqual(expected);
  });

  it('when destroying sets, then the restore payload has one destroy line per set', () => {
    expect(ipsetDestroyPayload(['cali40a', 'felix-x'])).toBe('destroy cali40a\ndestroy felix-x\n');
    expect(ipsetDestroyPayload([])).toBe('');
  });
});
