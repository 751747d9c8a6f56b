import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { rebootIfBootId } from '../../../agent/host/reboot.js';
import { RealNodeHost } from '../../../agent/host/real-node-host.js';
import type { CommandRunner } from '../../../agent/host/exec.js';
import type { FirewallCleanup } from '../../../agent/host/firewall-step.js';
import { PreconditionError } from '../../../shared/errors.js';
import { silentLogger } from '../../../shared/logger.js';

const BOOT_A = '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0';
const BOOT_B = '11111111-2222-3333-4444-555555555555';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'reboot-'));
  await mkdir(path.join(dir, 'proc/sys/kernel'), { recursive: true });
  await writeFile(path.join(dir, 'proc/sys/kernel/osrelease'), '6.1.0-test\n');
  await writeFile(path.join(dir, 'boot_id'), `${BOOT_A}\n`);
  await writeFile(path.join(dir, 'bad_boot_id'), 'not-a-uuid\n');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const noFirewall: FirewallCleanup = {
  plan: async () => ({ counts: {}, ipsetsReferencedByOthers: [], payloads: [], notes: [], apply: async () => ({}) }),
};

function hostWith(rebootMethod: 'systemctl' | 'signal', bootIdPath = path.join(dir, 'boot_id')) {
  const ran: (readonly string[])[] = [];
  const run: CommandRunner = async (argv) => {
    ran.push(argv);
    return { exitCode: 0, stdout: '', stderr: '' };
  };
  const host = new RealNodeHost({
    run,
    hostRoot: dir,
    procRoot: path.join(dir, 'proc'),
    bootIdPath,
    rebootMethod,
    firewall: noFirewall,
    iptablesBackends: async () => [],
    log: silentLogger(),
  });
  return { host, ran };
}

describe('reboot guarded by the boot id', () => {
  it('when the boot id is the expected one, then the reboot is requested through systemctl in PID 1', async () => {
    const { host, ran } = hostWith('systemctl');
    await rebootIfBootId(host, BOOT_A);
    expect(ran).toEqual([['nsenter', '-m/proc/1/ns/mnt', '--', '/bin/systemctl', 'reboot']]);
  });

  it('when the method is signal, then SIGRTMIN+5 goes to PID 1', async () => {
    const { host, ran } = hostWith('signal');
    await rebootIfBootId(host, BOOT_A);
    expect(ran).toEqual([['kill', '-s', 'SIGRTMIN+5', '1']]);
  });

  it('when the boot id moved on (a retried order after the reboot), then it refuses and runs nothing', async () => {
    const { host, ran } = hostWith('systemctl');
    await expect(rebootIfBootId(host, BOOT_B)).rejects.toBeInstanceOf(PreconditionError);
    expect(ran).toEqual([]);
  });

  it('when the boot id file holds garbage, then it refuses and runs nothing', async () => {
    const { host, ran } = hostWith('systemctl', path.join(dir, 'bad_boot_id'));
    await expect(rebootIfBootId(host, BOOT_A)).rejects.toThrow(/holds no boot id/);
    expect(ran).toEqual([]);
  });

  it('when asked for the kernel, then the release is read under the proc root', async () => {
    expect(await hostWith('signal').host.kernel()).toBe('6.1.0-test');
  });
});
