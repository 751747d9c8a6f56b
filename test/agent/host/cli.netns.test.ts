/**
 * The agent's `inventory` and `cleanup` commands as an operator runs them on a node:
 * `ip netns exec <ns> node <built>/agent/main.js …`, against the real stack. The agent is compiled
 * once (beforeAll) into a private directory under node_modules/.cache, so parallel builds never clash.
 * Only `run` (the daemon, loaded on demand) is left out of that build.
 */
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { createNetns, netnsExecArgv, type Netns } from '../../support/netns.js';
import { calicoIn, loadNode, makeHostRoot, observe, removeHostRoot } from './node-fixture.js';

const BUILD_DIR = path.resolve('node_modules/.cache', `cni-migrate-agent-cli-${process.pid}`);
let ns: Netns;
let pods: Netns;
let hostRoot = '';

async function agent(...args: string[]): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const [file, ...rest] = netnsExecArgv(ns.name, ['node', path.join(BUILD_DIR, 'agent/main.js'), ...args]);
  const res = await execa(file ?? 'ip', rest, { reject: false });
  return { exitCode: res.exitCode ?? -1, stdout: res.stdout, stderr: res.stderr };
}

/** The sources the two commands need: transpiled file by file (no type check, no resolution), so it is quick. */
const SOURCE_DIRS = ['agent', 'agent/host', 'agent/host/commands', 'agent/host/iptables', 'shared'];
async function commandSources(): Promise<string[]> {
  const lists = await Promise.all(
    SOURCE_DIRS.map(async (d) => (await readdir(d)).filter((f) => f.endsWith('.ts')).map((f) => path.join(d, f))),
  );
  return lists.flat();
}

beforeAll(async () => {
  const build = execa('npx', ['tsc', '--noCheck', '--noResolve', '--isolatedModules', '--module', 'NodeNext',
    '--moduleResolution', 'NodeNext', '--target', 'ES2022', '--skipLibCheck', '--types', 'node', '--rootDir', '.',
    '--outDir', BUILD_DIR, ...(await commandSources())], { reject: false });
  [ns, pods] = await Promise.all([createNetns('clinode'), createNetns('clipod')]);
  await loadNode(ns, pods);
  hostRoot = await makeHostRoot();
  const built = await build;
  if (built.exitCode !== 0) throw new Error(`building the agent failed:\n${built.stdout}\n${built.stderr}`);
}, 120_000);

afterAll(async () => {
  await ns?.destroy();
  await pods?.destroy();
  await removeHostRoot(hostRoot);
  await rm(BUILD_DIR, { recursive: true, force: true });
});

describe('cni-migrate-agent inventory / cleanup inside a network namespace', () => {
  it('when Calico state is there, then inventory exits 1 and lists it by kind', async () => {
    const res = await agent('inventory', '-o', 'json', '--host-root', hostRoot);
    expect(res.exitCode).toBe(1);
    const report = JSON.parse(res.stdout) as { found: Record<string, number>; leftover: number };
    expect(report.found).toMatchObject({ routes: 9, 'ip-rules': 1, links: 4, files: 9, 'nft-tables': 1 });
    expect(report.leftover).toBeGreaterThan(200);
  });

  it('when dry-run, then it exits 1, prints the payloads, and changes nothing', async () => {
    const before = await observe(ns.run, hostRoot);
    const res = await agent('cleanup', '--dry-run', '--host-root', hostRoot);
    expect(res.exitCode).toBe(1);
    expect(res.stdout).toMatch(/^would remove: /);
    expect(res.stdout).toContain('# iptables-legacy-restore --noflush --wait (table nat)');
    expect(res.stdout).toContain('would remove link vxlan.calico');
    expect(await observe(ns.run, hostRoot)).toEqual(before);
  });

  it('when a flag is bad, then it exits 2 with a clear message and changes nothing', async () => {
    const before = await observe(ns.run, hostRoot);
    const badFormat = await agent('cleanup', '-o', 'yaml', '--host-root', hostRoot);
    expect(badFormat.exitCode).toBe(2);
    expect(badFormat.stderr).toContain("argument 'yaml' is invalid. Allowed choices are json, text");
    const badRoot = await agent('cleanup', '--host-root', path.join(hostRoot, 'nope'));
    expect(badRoot.exitCode).toBe(2);
    expect(badRoot.stderr).toContain('not a directory');
    expect(await observe(ns.run, hostRoot)).toEqual(before);
  });

  it('when cleanup runs, then it exits 0, reports counts by kind and duration, and nothing is left', async () => {
    const res = await agent('cleanup', '-o', 'json', '--host-root', hostRoot);
    expect(res.stderr).toBe('');
    expect(res.exitCode).toBe(0);
    const report = JSON.parse(res.stdout) as { removed: Record<string, number>; leftover: number; durationMs: number };
    expect(report.leftover).toBe(0);
    expect(report.removed).toMatchObject({ routes: 9, 'ip-rules': 1, links: 4, files: 9, 'nft-tables': 1 });
    expect(report.durationMs).toBeGreaterThan(0);
    expect(calicoIn(await observe(ns.run, hostRoot))).toEqual([]);
  });

  it('when run again, then inventory and cleanup both exit 0', async () => {
    const inventory = await agent('inventory', '--host-root', hostRoot);
    expect(inventory.stdout).toMatch(/^no Calico state found\n/);
    expect(inventory.exitCode).toBe(0);
    expect((await agent('cleanup', '--host-root', hostRoot)).exitCode).toBe(0);
  });
});
