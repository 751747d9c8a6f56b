/**
 * `npm run bench:cleanup -- --json`: the agent's iptables cleanup (one `iptables-restore --noflush` per
 * table) against the community per-chain method (one `iptables -D` per hook rule, then one `-F` and one
 * `-X` per chain), each in a fresh network namespace loaded with the same Felix fixture.
 * The last line printed is one JSON document: {"results":[{rules, backend, agentMs, perChainMs?, ratio?, nonCalicoIdentical}]}.
 */
import { performance } from 'node:perf_hooks';
import { Command, Option } from 'commander';
import { z } from 'zod';
import { iptablesCommandArgv, iptablesSaveArgv, type IptablesTarget } from '../../agent/host/commands/iptables.js';
import type { CommandRunner } from '../../agent/host/exec.js';
import { applyIptablesPlan, planIptablesCleanup } from '../../agent/host/iptables/index.js';
import { parseIptablesSave, tokenizeRuleSpec } from '../../agent/host/iptables/parse.js';
import { classifyTable } from '../../agent/host/iptables/classify.js';
import { createNetns } from '../support/netns.js';
import { generateFelixFixture, type FelixFixture } from '../support/felix-fixture.js';
import { calicoLeft, loadFixture, snapshot, withoutCalico } from '../support/iptables-snapshot.js';

interface BenchRow {
  rules: number;
  backend: IptablesTarget['backend'];
  agentMs: number;
  perChainMs?: number;
  ratio?: number;
  nonCalicoIdentical: boolean;
}

const OptionsSchema = z.strictObject({
  json: z.boolean().default(false),
  sizes: z.array(z.number().int().positive().max(200_000)).min(1),
  perChainMax: z.number().int().nonnegative(),
  nft: z.boolean().default(false),
});
type BenchOptions = z.infer<typeof OptionsSchema>;

const parseIntList = (value: string): number[] => value.split(',').map((v) => Number(v.trim()));

/** The community method: read once, then one iptables call per hook rule, per flush, per chain delete. */
async function cleanPerChain(run: CommandRunner, target: IptablesTarget): Promise<void> {
  const { stdout } = await run(iptablesSaveArgv(target));
  for (const table of parseIptablesSave(stdout)) {
    const verdict = classifyTable(table);
    for (const rule of verdict.hookRules) {
      await run(iptablesCommandArgv(target, table.name, ['-D', rule.chain, ...tokenizeRuleSpec(rule.spec)]));
    }
    for (const chain of verdict.felixChains) await run(iptablesCommandArgv(target, table.name, ['-F', chain]));
    for (const chain of verdict.felixChains) await run(iptablesCommandArgv(target, table.name, ['-X', chain]));
  }
}

async function cleanWithAgent(run: CommandRunner, procRoot: string): Promise<void> {
  const plan = await planIptablesCleanup(run, { procRoot });
  await applyIptablesPlan(run, plan);
}

/** Load the fixture into a fresh namespace, time one method, and check what stayed. */
async function measure(
  fx: FelixFixture,
  target: IptablesTarget,
  method: (run: CommandRunner, procRoot: string) => Promise<void>,
): Promise<{ ms: number; identical: boolean }> {
  const ns = await createNetns('iptbench');
  try {
    await loadFixture(ns.run, fx, [target]);
    const before = await snapshot(ns.run, [target]);
    const start = performance.now();
    await method(ns.run, ns.procRoot);
    const ms = performance.now() - start;
    const after = await snapshot(ns.run, [target]);
    const identical = calicoLeft(after).length === 0 && JSON.stringify([...after]) === JSON.stringify([...withoutCalico(before)]);
    return { ms: Math.round(ms), identical };
  } finally {
    await ns.destroy();
  }
}

async function benchOne(rules: number, target: IptablesTarget, opts: BenchOptions): Promise<BenchRow> {
  const fx = generateFelixFixture({ calicoRules: rules, seed: rules });
  const agent = await measure(fx, target, cleanWithAgent);
  const row: BenchRow = { rules, backend: target.backend, agentMs: agent.ms, nonCalicoIdentical: agent.identical };
  if (rules <= opts.perChainMax) {
    const perChain = await measure(fx, target, (run) => cleanPerChain(run, target));
    row.perChainMs = perChain.ms;
    row.ratio = Math.round((perChain.ms / Math.max(agent.ms, 1)) * 10) / 10;
    row.nonCalicoIdentical = agent.identical && perChain.identical;
  }
  return row;
}

async function main(argv: string[]): Promise<void> {
  const cli = new Command('bench:cleanup')
    .option('--json', 'print only the JSON document')
    .addOption(new Option('--sizes <list>', 'Calico rule counts, comma-separated').default([1000, 10000, 50000]).argParser(parseIntList))
    .addOption(new Option('--per-chain-max <n>', 'largest size the slow per-chain method also runs at').default(10000).argParser(Number))
    .option('--nft', 'add rows for the nft backend')
    .parse(argv);
  const parsed = OptionsSchema.safeParse(cli.opts());
  if (!parsed.success) throw new Error(`bad options: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const opts = parsed.data;
  const backends: IptablesTarget['backend'][] = opts.nft ? ['legacy', 'nft'] : ['legacy'];
  const results: BenchRow[] = [];
  for (const rules of opts.sizes) {
    for (const backend of backends) {
      const row = await benchOne(rules, { backend, family: 'ipv4' }, opts);
      results.push(row);
      if (!opts.json) console.log(`${rules} Calico rules, ${backend}: ${JSON.stringify(row)}`);
    }
  }
  console.log(JSON.stringify({ results }));
}

main(process.argv).catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exitCode = 1;
});
