import { describe, it, expect } from '@jest/globals';
import { destroyIpsets, parseIpsetNames, planIpsets } from '../../../agent/host/ipsets.js';
import type { CommandRunner, RunOptions } from '../../../agent/host/exec.js';

describe('ipsets', () => {
  it('when a Calico set is referenced by a non-Calico rule, then it is kept and reported', () => {
    const plan = planIpsets(['cali40a', 'cali60b', 'felix-c', 'KUBE-X', 'cali40used'], ['cali40used', 'KUBE-X']);
    expect(plan).toEqual({ destroy: ['cali40a', 'cali60b', 'felix-c'], keptReferenced: ['cali40used'] });
  });

  it('when ipset lists names, then blank lines are dropped', () => {
    expect(parseIpsetNames('cali40a\n\nKUBE-X\n')).toEqual(['cali40a', 'KUBE-X']);
  });

  it('when sets are destroyed, then ONE ipset restore receives every destroy line', async () => {
    const calls: { argv: readonly string[]; opts?: RunOptions }[] = [];
    const run: CommandRunner = async (argv, opts) => {
      calls.push({ argv, opts });
      return { exitCode: 0, stdout: '', stderr: '' };
    };
    expect(await destroyIpsets(run, { destroy: ['cali40a', 'cali4t1'], keptReferenced: [] })).toBeUndefined();
    expect(calls).toHaveLength(1);
    expect(calls[0]?.argv).toEqual(['ipset', 'restore']);
    expect(calls[0]?.opts?.input).toBe('destroy cali40a\ndestroy cali4t1\n');
  });

  it('when nothing is to go, then ipset is not run', async () => {
    let ran = false;
    const run: CommandRunner = async () => {
      ran = true;
      return { exitCode: 0, stdout: '', stderr: '' };
    };
    await destroyIpsets(run, { destroy: [], keptReferenced: ['cali40x'] });
    expect(ran).toBe(false);
  });

  it('when the kernel refuses a set, then the error text is returned, not thrown', async () => {
    const run: CommandRunner = async () => ({ exitCode: 1, stdout: '', stderr: 'ipset v7: Set cannot be destroyed: it is in use\n' });
    expect(await destroyIpsets(run, { destroy: ['cali40a'], keptReferenced: [] })).toMatch(/in use/);
  });
});
