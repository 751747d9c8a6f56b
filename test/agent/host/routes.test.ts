import { describe, it, expect } from '@jest/globals';
import { isCalicoRoute, listAllRoutes, routeDeleteLine, type Route } from '../../../agent/host/routes.js';
import type { CommandRunner } from '../../../agent/host/exec.js';
import { HostCommandError } from '../../../shared/errors.js';

const route = (r: Partial<Route> & { dst: string }): Route => ({ family: 4, ...r });

describe('routes', () => {
  it.each([
    [
      'a BIRD blackhole',
      route({ type: '6', dst: '10.244.1.0/26', table: '254', protocol: '12', scope: '0' }),
      'route del blackhole 10.244.1.0/26 table 254 proto 12 scope 0',
    ],
    [
      'a VXLAN onlink route',
      route({ type: '1', dst: '10.244.2.0/26', gateway: '10.244.2.0', dev: 'vxlan.calico', table: '254', protocol: '3', scope: '0' }),
      'route del unicast 10.244.2.0/26 via 10.244.2.0 dev vxlan.calico table 254 proto 3 scope 0',
    ],
    [
      'an IPv6 blackhole with a metric (dev lo is dropped)',
      route({ family: 6, type: 'blackhole', dst: 'fd00::/122', dev: 'lo', table: '254', protocol: 'bird', metric: 1024 }),
      'route del blackhole fd00::/122 table 254 proto bird metric 1024',
    ],
    ['a route with no type', route({ dst: '10.9.0.0/24', dev: 'cali0123456789a', table: '1', protocol: '80' }), 'route del unicast 10.9.0.0/24 dev cali0123456789a table 1 proto 80'],
  ])('when removing %s, then the batch line names it exactly', (_what, r, line) => {
    expect(routeDeleteLine(r)).toBe(line);
  });

  it.each([
    [route({ dst: '10.0.0.0/24', dev: 'eth0', protocol: '3' }), false],
    [route({ dst: '10.0.0.0/24', dev: 'eth0', protocol: '2' }), false],
    [route({ dst: '10.0.0.0/24', dev: 'eth0', protocol: '80' }), true],
    [route({ type: '6', dst: '10.0.0.0/24', protocol: '12' }), true],
    [route({ dst: '10.0.0.0/24', dev: 'cilium_host', protocol: '3' }), false],
  ])('when the route is %j, then Calico owns it: %s', (r, owned) => {
    expect(isCalicoRoute(r)).toBe(owned);
  });

  it('when listing, then both families are read and tagged', async () => {
    const run: CommandRunner = async (argv) => ({
      exitCode: 0,
      stderr: '',
      stdout: argv[1] === '-4' ? '[{"dst":"10.0.0.0/8","protocol":"12"}]\n' : '[{"dst":"fd00::/8","protocol":"80","metric":1024}]',
    });
    const routes = await listAllRoutes(run);
    expect(routes).toEqual([
      { dst: '10.0.0.0/8', protocol: '12', family: 4 },
      { dst: 'fd00::/8', protocol: '80', metric: 1024, family: 6 },
    ]);
  });

  it('when ip prints something that is not JSON, then a HostCommandError names the command', async () => {
    const run: CommandRunner = async () => ({ exitCode: 0, stderr: '', stdout: 'garbage' });
    await expect(listAllRoutes(run)).rejects.toBeInstanceOf(HostCommandError);
  });

  it('when ip prints JSON of the wrong shape, then a HostCommandError is thrown', async () => {
    const run: CommandRunner = async () => ({ exitCode: 0, stderr: '', stdout: '[{"nodst":1}]' });
    await expect(listAllRoutes(run)).rejects.toThrow(/unexpected output/);
  });
});

describe('routes on a kernel without IPv6', () => {
  it('when ip -6 says the family is not supported, then there are simply no IPv6 routes', async () => {
    const run: CommandRunner = async (argv) =>
      argv[1] === '-6'
        ? { exitCode: 2, stdout: '', stderr: 'RTNETLINK answers: Address family not supported by protocol\n' }
        : { exitCode: 0, stdout: '[{"dst":"10.0.0.0/8","protocol":"80"}]', stderr: '' };
    expect(await listAllRoutes(run)).toEqual([{ dst: '10.0.0.0/8', protocol: '80', family: 4 }]);
  });

  it('when ip fails for another reason, then a HostCommandError carries its stderr', async () => {
    const run: CommandRunner = async () => ({ exitCode: 1, stdout: '', stderr: 'Cannot open netlink socket: Permission denied' });
    await expect(listAllRoutes(run)).rejects.toThrow(/Permission denied/);
  });
});
