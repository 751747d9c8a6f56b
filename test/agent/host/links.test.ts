import { describe, it, expect } from '@jest/globals';
import { linkBatchLines, linkPlanSize, listLinks, planLinks, type Link } from '../../../agent/host/links.js';
import type { CommandRunner } from '../../../agent/host/exec.js';

const link = (ifname: string, flags: string[] = [], addrs: string[] = []): Link => ({
  ifname,
  flags,
  addr_info: addrs.map((local) => ({ local })),
});

describe('links', () => {
  it('when Calico links and decoys are present, then only Calico links are planned for deletion', () => {
    const plan = planLinks([
      link('lo', ['UP']),
      link('vxlan.calico', ['UP']),
      link('cali0123456789a'),
      link('wireguard.cali'),
      link('calico-dummy'),
      link('cilium_host'),
    ]);
    expect(plan.remove).toEqual(['vxlan.calico', 'cali0123456789a', 'wireguard.cali']);
    expect(plan.kept).toEqual(['lo', 'calico-dummy', 'cilium_host']);
    expect(plan.clearIpip).toBe(false);
  });

  it.each([
    ['up with an address', link('tunl0', ['NOARP', 'UP', 'LOWER_UP'], ['10.244.5.1']), true],
    ['down with an address', link('tunl0', ['NOARP'], ['10.244.5.1']), true],
    ['up without addresses', link('tunl0', ['NOARP', 'UP']), true],
    ['down and bare (already cleared)', link('tunl0', ['NOARP']), false],
  ])('when tunl0 is %s, then it needs clearing: %s', (_what, tunl0, clear) => {
    const plan = planLinks([tunl0]);
    expect(plan.clearIpip).toBe(clear);
    expect(plan.remove).toEqual([]);
    expect(linkPlanSize(plan)).toBe(clear ? 1 : 0);
  });

  it('when tunl0 needs clearing, then it is flushed and set down, never deleted', () => {
    const lines = linkBatchLines({ remove: ['vxlan.calico'], clearIpip: true, kept: [] });
    expect(lines).toEqual(['link del dev vxlan.calico', 'address flush dev tunl0', 'link set dev tunl0 down']);
  });

  it('when read through a fake runner, then ip -j output with tunl0 is parsed', async () => {
    const run: CommandRunner = async () => ({
      exitCode: 0,
      stderr: '',
      stdout: JSON.stringify([{ ifname: 'tunl0', flags: ['NOARP', 'UP'], addr_info: [{ local: '10.244.9.1' }] }]),
    });
    expect(planLinks(await listLinks(run)).clearIpip).toBe(true);
  });
});
