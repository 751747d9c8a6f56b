/**
 * A node full of Calico leftovers, in a throwaway network namespace plus a temp host root: Felix's
 * iptables state in both backends (legacy v4+v6, nft v4) with the ipsets it references, an nft
 * `ip calico` table, routes of every Calico protocol (incl. blackhole and onlink via vxlan.calico, in
 * main and in WireGuard's table 1), the priority-99 rule, vxlan.calico (VNI 4096, port 4789), workload
 * veths, Calico's files; and decoys of every kind that must survive.
 *
 * `observe()` reads everything back as plain text lines, so a test can compare states with an oracle
 * of its own (regexes written here, not the product's predicates).
 */
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { CommandRunner } from '../../../agent/host/exec.js';
import type { IptablesTarget } from '../../../agent/host/commands/iptables.js';
import { generateFelixFixture, type FixtureWorkload } from '../../support/felix-fixture.js';
import { isCalicoLine, loadFixture, snapshot } from '../../support/iptables-snapshot.js';
import type { Netns } from '../../support/netns.js';

export const FELIX = generateFelixFixture({ calicoRules: 120, seed: 23 });
export const TARGETS: IptablesTarget[] = [
  { backend: 'legacy', family: 'ipv4' },
  { backend: 'legacy', family: 'ipv6' },
  { backend: 'nft', family: 'ipv4' },
];
export const WORKLOADS = FELIX.workloads.slice(0, 3);

export const CALICO_FILES = [
  'etc/cni/net.d/10-calico.conflist',
  'etc/cni/net.d/10-calico.conflist.cilium_bak',
  'etc/cni/net.d/calico-kubeconfig',
  'etc/cni/net.d/calico-tls/ca.crt',
  'opt/cni/bin/calico',
  'opt/cni/bin/calico-ipam',
  'var/lib/calico/nodename',
  'var/run/calico/cni/ipam.lock',
  'var/log/calico/cni/cni.log',
];
export const DECOY_FILES = [
  'etc/cni/net.d/05-cilium.conflist',
  'etc/cni/net.d/99-loopback.conf',
  'etc/cni/net.d/calico-notes.txt',
  'opt/cni/bin/cilium-cni',
  'opt/cni/bin/loopback',
  'var/lib/cilium/state',
  'var/lib/calicoctl/config',
  'var/log/pods.log',
];

/** Routes (and rules) a correct cleanup removes, and decoys it must keep, as `ip` argv tails. */
const ip = (...args: string[]): string[] => ['ip', ...args];

function workload(i: number): FixtureWorkload {
  const w = WORKLOADS[i];
  if (!w) throw new Error(`the Felix fixture has no workload ${i}`);
  return w;
}

function calicoNetworkSetup(podNs: string): string[][] {
  const w0 = workload(0);
  const w1 = workload(1);
  const w2 = workload(2);
  const veths = WORKLOADS.flatMap((w, i) => [
    ip('link', 'add', w.iface, 'type', 'veth', 'peer', 'name', `p${i}`, 'netns', podNs),
    ip('link', 'set', w.iface, 'up'),
  ]);
  return [
    ip('link', 'add', 'vxlan.calico', 'type', 'vxlan', 'id', '4096', 'dstport', '4789', 'nolearning'),
    ip('address', 'add', '10.244.64.0/32', 'dev', 'vxlan.calico'),
    ip('link', 'set', 'vxlan.calico', 'up'),
    ...veths,
    ip('route', 'add', 'blackhole', '10.244.64.0/26', 'proto', 'bird'),
    ip('route', 'add', '10.244.128.0/26', 'via', '192.168.50.2', 'dev', 'eth-decoy', 'proto', 'bird'),
    ip('route', 'add', 'blackhole', '10.244.65.0/26', 'proto', '80'),
    ip('route', 'add', '10.244.192.0/26', 'via', '10.244.192.0', 'dev', 'vxlan.calico', 'onlink', 'proto', 'boot'),
    ip('route', 'add', `${w0.ipv4}/32`, 'dev', w0.iface, 'proto', 'boot', 'scope', 'link'),
    ip('route', 'add', `${w1.ipv4}/32`, 'dev', w1.iface, 'proto', '3', 'scope', 'link'),
    ip('-6', 'route', 'add', 'blackhole', 'fd00:10:244:1::/122', 'proto', 'bird'),
    ip('-6', 'route', 'add', `${w2.ipv6}/128`, 'dev', w2.iface, 'proto', 'boot'),
    ip('route', 'add', 'blackhole', '10.244.66.0/26', 'proto', '80', 'table', '1'),
    ip('rule', 'add', 'priority', '99', 'not', 'fwmark', '0x100000/0x100000', 'lookup', '1'),
  ];
}

/** This kernel has no dummy links: decoys are veth pairs, both ends up. */
const decoyVeth = (name: string, peer: string): string[][] => [
  ip('link', 'add', name, 'type', 'veth', 'peer', 'name', peer),
  ip('link', 'set', name, 'up'),
  ip('link', 'set', peer, 'up'),
];

function decoyNetworkSetup(): string[][] {
  return [
    ...decoyVeth('eth-decoy', 'eth-decoy-peer'),
    ip('address', 'add', '192.168.50.1/24', 'dev', 'eth-decoy'),
    ...decoyVeth('calico-dummy', 'calico-dummy-p'),
    ...decoyVeth('cilium_host', 'cilium_net'),
    ip('route', 'add', '10.50.0.0/24', 'dev', 'eth-decoy', 'proto', 'boot'),
    ip('route', 'add', '10.51.0.0/24', 'via', '192.168.50.2', 'proto', 'static'),
    ip('route', 'add', 'blackhole', '10.52.0.0/24'),
    ip('route', 'add', '10.53.0.0/24', 'dev', 'calico-dummy', 'proto', 'boot'),
    ip('route', 'add', '10.245.0.0/16', 'dev', 'cilium_host', 'proto', 'kernel'),
    ip('route', 'add', 'blackhole', '10.54.0.0/24', 'table', '200', 'proto', 'static'),
    ip('rule', 'add', 'priority', '100', 'lookup', '200'),
    ip('rule', 'add', 'priority', '99', 'fwmark', '0x200', 'lookup', '200'),
    ip('-6', 'route', 'add', 'blackhole', 'fd00:99::/64', 'proto', 'static'),
  ];
}

const EXTRA_IPSETS = 'create cali4t0 hash:ip family inet\ncreate felix-old hash:ip family inet\ncreate my-own-set hash:ip family inet\n';

/** Load a node's worth of Calico state and decoys into the namespace. */
export async function loadNode(ns: Netns, podNs: Netns): Promise<void> {
  // No IPv6 link-local addresses: the kernel adds them asynchronously, which would make states racy.
  await ns.run(['sysctl', '-qw', 'net.ipv6.conf.default.addr_gen_mode=1']);
  await loadFixture(ns.run, FELIX, TARGETS);
  await ns.run(['ipset', 'restore'], { input: EXTRA_IPSETS });
  await ns.run(['nft', '-f', '-'], { input: 'add table ip calico\nadd table ip keep-me\n' });
  for (const argv of [...decoyNetworkSetup(), ...calicoNetworkSetup(podNs.name)]) await ns.run(argv);
}

export async function makeHostRoot(): Promise<string> {
  const root = await mkdtemp(path.join(tmpdir(), 'node-cleanup-'));
  for (const rel of [...CALICO_FILES, ...DECOY_FILES]) {
    await mkdir(path.dirname(path.join(root, rel)), { recursive: true });
    await writeFile(path.join(root, rel), `${rel}\n`);
  }
  return root;
}

export const removeHostRoot = (root: string): Promise<void> => rm(root, { recursive: true, force: true });

async function listTree(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(root, path.join(e.parentPath, e.name)))
    .sort();
}

export interface NodeState {
  iptables: string[];
  routes: string[];
  rules: string[];
  links: string[];
  ipsets: string[];
  nft: string[];
  files: string[];
}

const lines = (text: string): string[] =>
  text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .sort();

export async function observe(run: CommandRunner, hostRoot: string): Promise<NodeState> {
  const snap = await snapshot(run, TARGETS);
  const out = async (argv: string[]): Promise<string> => (await run(argv)).stdout;
  return {
    iptables: [...snap].flatMap(([k, ls]) => ls.map((l) => `${k}: ${l}`)),
    routes: lines((await out(['ip', '-4', '-N', '-d', 'route', 'show', 'table', 'all'])) + (await out(['ip', '-6', '-N', '-d', 'route', 'show', 'table', 'all']))),
    rules: lines((await out(['ip', '-4', 'rule', 'show'])) + (await out(['ip', '-6', 'rule', 'show']))),
    links: lines((await out(['ip', '-o', 'link', 'show'])).replace(/^\d+: ([^:@]+)[:@].*$/gm, '$1')),
    ipsets: lines(await out(['ipset', 'list', '-n'])),
    nft: lines(await out(['nft', 'list', 'tables'])),
    files: await listTree(hostRoot),
  };
}

/** The test's own oracle of what is Calico's, per kind (deliberately not the product's predicates). */
const CALICO_LINK = /^(vxlan\.calico|vxlan-v6\.calico|wireguard\.cali|wg-v6\.cali|cali[0-9a-f]{11})$/;
const CALICO_DEV = /dev (vxlan\.calico|cali[0-9a-f]{11}) /;
export const ORACLE: Record<keyof NodeState, (line: string) => boolean> = {
  iptables: (l) => isCalicoLine(l.slice(l.indexOf(': ') + 2)),
  routes: (l) => / proto (12|80) /.test(`${l} `) || CALICO_DEV.test(`${l} `),
  rules: (l) => /^99:.*lookup 1$/.test(l),
  links: (l) => CALICO_LINK.test(l),
  ipsets: (l) => /^(cali40|cali60|cali4t|cali6t|felix-)/.test(l),
  nft: (l) => l === 'table ip calico',
  files: (l) => CALICO_FILES.includes(l),
};

export function withoutCalico(state: NodeState): NodeState {
  const out = { ...state };
  for (const k of Object.keys(ORACLE) as (keyof NodeState)[]) out[k] = state[k].filter((l) => !ORACLE[k](l));
  return out;
}

export function calicoIn(state: NodeState): string[] {
  return (Object.keys(ORACLE) as (keyof NodeState)[]).flatMap((k) => state[k].filter(ORACLE[k]).map((l) => `${k}: ${l}`));
}
