/**
 * The cleanup stage end to end on the real Linux stack: three simulated nodes, each with its network in a
 * real namespace holding Felix-shaped state (iptables in the legacy and nft backends with Calico's chains,
 * hooks and comments beside kube-proxy, Cilium, Docker and user rules; cali40 ipsets; bird, proto 80 and
 * device routes; vxlan.calico and workload veths; Calico's files) and decoys of every kind. The real
 * coordinator runs the whole runbook on the simulated cluster; its CleanNodes stage sends the cleanup
 * orders, k at a time, to the real agents, whose host code runs inside each node's namespace. Afterwards
 * nothing of Calico's is left, and everything else reads back exactly as before.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createNetns, type Netns } from '../support/netns.js';
import { calicoIn, loadNode, makeHostRoot, observe, removeHostRoot, withoutCalico, type NodeState } from '../agent/host/node-fixture.js';
import { runRollout } from './support.js';
import { NetnsNodeHost, type NetnsNode } from './netns-node-host.js';
import type { SimNodeHost } from '../../sim/host/sim-node-host.js';
import type { DemoResult } from '../../sim/demo/run-demo.js';

const NODES = 3;
const CONCURRENCY = 2;
const isRoot = process.getuid?.() === 0;
const SKIP_REASON = 'needs root: it creates network namespaces (ip netns) and loads iptables, ipsets, routes and links into them';
if (!isRoot && process.env['CI'] !== undefined) throw new Error(`this e2e test ${SKIP_REASON}, and CI must run it`);
if (!isRoot) process.stderr.write(`skipped test/e2e/cleanup.netns.test.ts: it ${SKIP_REASON}\n`);

/** The full saved state beyond observe()'s names: every ipset with its members, and each link's details. */
interface Extra {
  ipsetSave: string[];
  linkDetails: string[];
}
const CALICO_SET = /^(create|add) (cali40|cali60|cali4t|cali6t|felix-)/;
const CALICO_LINK_LINE = /^\d+: (vxlan\.calico|vxlan-v6\.calico|wireguard\.cali|wg-v6\.cali|cali[0-9a-f]{11})[@:]/;

async function extra(ns: Netns): Promise<Extra> {
  const lines = (t: string): string[] => t.split('\n').filter((l) => l.trim() !== '');
  return {
    ipsetSave: lines((await ns.run(['ipset', 'save'])).stdout),
    linkDetails: lines((await ns.run(['ip', '-d', '-o', 'link', 'show'])).stdout),
  };
}

interface TestNode extends NetnsNode {
  pods: Netns;
  before?: { state: NodeState; extra: Extra };
  host?: NetnsNodeHost;
}

(isRoot ? describe : describe.skip)('end to end, as root: the cleanup stage cleans real network namespaces through the agents', () => {
  const nodes: TestNode[] = [];
  let run: DemoResult;

  beforeAll(async () => {
    const load = async (): Promise<void> => {
      const [ns, pods, hostRoot] = await Promise.all([createNetns('e2enode'), createNetns('e2epod'), makeHostRoot()]);
      const node: TestNode = { ns, pods, hostRoot };
      nodes.push(node);
      await loadNode(ns, pods);
      node.before = { state: await observe(ns.run, hostRoot), extra: await extra(ns) };
    };
    await Promise.all(Array.from({ length: NODES }, load));
    const free = [...nodes];
    const nodeHost = (sim: SimNodeHost): NetnsNodeHost => {
      const node = free.shift();
      if (!node) throw new Error(`no network namespace left for ${sim.nodeName}`);
      node.host = new NetnsNodeHost(sim, node);
      return node.host;
    };
    run = await runRollout({ nodes: NODES, concurrency: CONCURRENCY, full: true, calicoInstall: 'manifest' }, { nodeHost });
  });

  afterAll(async () => {
    for (const n of nodes) {
      await n.ns.destroy();
      await n.pods.destroy();
      await removeHostRoot(n.hostRoot);
    }
  });

  it('when the namespaces are loaded, then each holds Calico state of every kind, in both iptables backends', () => {
    for (const n of nodes) {
      const calico = calicoIn(n.before?.state ?? observeMissing());
      expect(new Set(calico.map((l) => l.slice(0, l.indexOf(':'))))).toEqual(new Set(['files', 'ipsets', 'iptables', 'links', 'nft', 'routes', 'rules']));
      expect(calico.filter((l) => l.startsWith('iptables: legacy/')).length).toBeGreaterThan(100);
      expect(calico.filter((l) => l.startsWith('iptables: nft/')).length).toBeGreaterThan(100);
      expect(calico).toEqual(expect.arrayContaining(['links: vxlan.calico', expect.stringMatching(/^routes: 6 10\.244\.64\.0\/26 table 254 proto 12 /)]));
    }
  });

  it('when the coordinator runs the whole runbook, then it ends Complete with every node cleaned once, by its cleanup order', () => {
    expect({ ok: run.ok, stage: run.full?.stage, halted: run.summary.halted }).toEqual({ ok: true, stage: 'Complete/Done', halted: null });
    expect(Object.keys(run.full?.stageSeconds ?? {})).toContain('CleanNodes');
    const cleanup = run.full?.cleanup ?? [];
    expect(cleanup.map((c) => [c.left, c.cleanups])).toEqual(nodes.map(() => [0, 1]));
    for (const n of nodes) expect(cleanupsOf(n)).toEqual([{ leftover: 0, manyRules: true }]);
    for (const c of cleanup) expect(c.inventory).toMatch(/^found .*iptables-rules=\d+.*ipsets=\d+ routes=9 ip-rules=1 links=4 files=9; left 0$/);
  });

  it('when the cleanup stage is over, then nothing of Calico is left and every other rule, set, route, link and file reads back byte for byte', async () => {
    for (const n of nodes) {
      const before = n.before ?? { state: observeMissing(), extra: { ipsetSave: [], linkDetails: [] } };
      const after = await observe(n.ns.run, n.hostRoot);
      expect(calicoIn(after)).toEqual([]);
      expect(after).toEqual(withoutCalico(before.state));
      const now = await extra(n.ns);
      expect(now.ipsetSave).toEqual(before.extra.ipsetSave.filter((l) => !CALICO_SET.test(l)));
      expect(now.linkDetails).toEqual(before.extra.linkDetails.filter((l) => !CALICO_LINK_LINE.test(l)));
      expect(after.iptables.filter((l) => / -j (KUBE-|CILIUM_|DOCKER)/.test(l)).length).toBeGreaterThan(0);
    }
  });
});

/** Each real cleanup the node's agent ran: what it left, and whether it removed hundreds of rules. */
function cleanupsOf(n: TestNode): { leftover: number; manyRules: boolean }[] {
  const reports = n.host?.reports ?? [];
  return reports.filter((r) => !r.dryRun).map((r) => ({ leftover: r.leftover, manyRules: (r.removed['iptables-rules'] ?? 0) > 200 }));
}

function observeMissing(): NodeState {
  throw new Error('the node was not observed before the run');
}
