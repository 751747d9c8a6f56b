/**
 * The pretest step of `npm test`: with a PATH that holds only stand-ins, a hidden command is installed through
 * (a recording stand-in for) apt-get when root, or named with the exact install command otherwise.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';

const SCRIPT = join(import.meta.dirname, '..', '..', 'scripts', 'ensure-system-packages.sh');
const COMMANDS = ['iptables-legacy', 'iptables-nft', 'ipset', 'ip', 'nft', 'dnsmasq', 'nsenter', 'ping', 'nslookup', 'curl', 'chromium', 'openssl', 'kubectl'];

let bin = '';

async function stub(name: string, body = 'exit 0'): Promise<void> {
  await writeFile(join(bin, name), `#!/bin/sh\n${body}\n`);
  await chmod(join(bin, name), 0o755);
}

/** A PATH of stand-ins for every command but `hidden`; `id -u` answers `uid`; apt-get is there when asked. */
async function machine(o: { hidden: string[]; uid: number; aptGet: boolean }): Promise<void> {
  for (const c of COMMANDS.filter((x) => !o.hidden.includes(x))) await stub(c);
  await stub('id', `echo ${o.uid}`);
  // Records its argv; `install` provides the commands the test names in PROVIDES.
  if (o.aptGet) await stub('apt-get', `echo "$*" >> "${bin}/apt-get.log"\n[ "$1" = install ] && for c in $PROVIDES; do printf '#!/bin/sh\\n' > "${bin}/$c"; chmod +x "${bin}/$c"; done\nexit 0`);
}

const run = (env: Record<string, string> = {}) =>
  execa('/bin/bash', [SCRIPT], { env: { PATH: bin, ...env }, extendEnv: false, reject: false });

const aptCalls = async (): Promise<string[]> =>
  (await readFile(join(bin, 'apt-get.log'), 'utf8').catch(() => '')).split('\n').filter((l) => l !== '');

beforeEach(async () => {
  bin = await mkdtemp(join(tmpdir(), 'ensure-packages-'));
});

afterEach(async () => {
  await rm(bin, { recursive: true, force: true });
});

describe('scripts/ensure-system-packages.sh (pretest)', () => {
  it('when every command is there, then it installs nothing and succeeds quietly', async () => {
    await machine({ hidden: [], uid: 0, aptGet: true });

    const r = await run();

    expect({ exitCode: r.exitCode, stderr: r.stderr, apt: await aptCalls() }).toEqual({ exitCode: 0, stderr: '', apt: [] });
  });

  it('when dnsmasq and ping are missing and we are root with apt-get, then it updates once and installs their packages', async () => {
    await machine({ hidden: ['dnsmasq', 'ping'], uid: 0, aptGet: true });

    const r = await run({ PROVIDES: 'dnsmasq ping' });

    expect({ exitCode: r.exitCode, stderr: r.stderr }).toMatchObject({ exitCode: 0 });
    expect(await aptCalls()).toEqual(['update -qq', 'install -y -qq --no-install-recommends dnsmasq-base iputils-ping']);
  });

  it('when an install leaves the command missing, then it fails naming it', async () => {
    await machine({ hidden: ['nft'], uid: 0, aptGet: true });

    const r = await run({ PROVIDES: '' });

    expect({ exitCode: r.exitCode, stderr: r.stderr }).toEqual({ exitCode: 1, stderr: expect.stringContaining('nft is still missing after installing nftables') });
  });

  it('when not root, then it installs nothing and prints the exact apt-get command, exiting non-zero', async () => {
    await machine({ hidden: ['ipset', 'iptables-legacy', 'iptables-nft'], uid: 1000, aptGet: true });

    const r = await run();

    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('sudo apt-get update && sudo apt-get install -y --no-install-recommends iptables ipset');
    expect(await aptCalls()).toEqual([]);
  });

  it('when there is no apt-get, then it prints the command and exits non-zero', async () => {
    await machine({ hidden: ['curl'], uid: 0, aptGet: false });

    const r = await run();

    expect({ exitCode: r.exitCode, stderr: r.stderr }).toEqual({ exitCode: 1, stderr: expect.stringContaining('apt-get install -y --no-install-recommends curl') });
  });

  it('when kubectl is missing, then it says it is not a Debian package and how to get it, and exits non-zero without apt-get', async () => {
    await machine({ hidden: ['kubectl'], uid: 0, aptGet: true });

    const r = await run();

    expect({ exitCode: r.exitCode, stderr: r.stderr }).toEqual({ exitCode: 1, stderr: expect.stringContaining("kubectl (v1.28 or newer") });
    expect(r.stderr).toContain("not in Debian's archive");
    expect(await aptCalls()).toEqual([]);
  });
});
