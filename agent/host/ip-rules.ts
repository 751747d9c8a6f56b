/**
 * Calico's policy-routing rules: WireGuard's priority-99 rule that looks up Calico's routing table.
 * A rule counts as Calico's when it sits at that priority and its table holds Calico routes, or when it
 * is the `not fwmark <wireguard mark>` rule Felix writes. Removed in the same batch as the routes.
 */
import { z } from 'zod';
import type { CommandRunner } from './exec.js';
import { listRulesArgv, type IpFamily } from './commands/ip.js';
import { CALICO_WIREGUARD_RULE_PRIORITY } from './calico-names.js';
import { listIpJson } from './ip-json.js';

const RuleSchema = z.looseObject({
  priority: z.number(),
  not: z.null().optional(),
  src: z.string().optional(),
  srclen: z.number().optional(),
  fwmark: z.string().optional(),
  fwmask: z.string().optional(),
  table: z.string().optional(),
});
export type IpRule = z.infer<typeof RuleSchema> & { family: IpFamily };

/** Felix's default WireGuard firewall mark. */
const WIREGUARD_MARK = '0x100000';

export function isCalicoRule(rule: IpRule, calicoTables: ReadonlySet<string>): boolean {
  if (rule.priority !== CALICO_WIREGUARD_RULE_PRIORITY || rule.table === undefined) return false;
  const wireguardShape = 'not' in rule && rule.fwmark === WIREGUARD_MARK;
  return wireguardShape || calicoTables.has(rule.table);
}

/** The `rule del …` line that removes exactly this rule. */
export function ruleDeleteLine(rule: IpRule): string {
  const words = ['rule', 'del', 'priority', String(rule.priority)];
  if ('not' in rule) words.push('not');
  if (rule.src !== undefined && rule.src !== 'all') {
    words.push('from', rule.srclen === undefined ? rule.src : `${rule.src}/${rule.srclen}`);
  }
  if (rule.fwmark !== undefined) words.push('fwmark', rule.fwmask === undefined ? rule.fwmark : `${rule.fwmark}/${rule.fwmask}`);
  if (rule.table !== undefined) words.push('table', rule.table);
  return words.join(' ');
}

export const describeRule = (rule: IpRule): string => ruleDeleteLine(rule).replace(/^rule del /, '');

export async function listAllRules(run: CommandRunner): Promise<IpRule[]> {
  const out: IpRule[] = [];
  for (const family of [4, 6] as const) {
    const rules = await listIpJson(run, listRulesArgv(family), RuleSchema);
    out.push(...rules.map((r) => ({ ...r, family })));
  }
  return out;
}
