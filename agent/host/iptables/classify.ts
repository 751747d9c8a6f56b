/**
 * Decide what in one saved table is Calico's (Felix's). Pure.
 *
 * Calico's: chains named with a Felix prefix (with everything in them), and, in any other chain, rules
 * that jump/goto a Felix chain or carry a `cali:<hash>` comment. Everything else — KUBE-*, CILIUM_*,
 * DOCKER*, `-i cali+` user rules, `calico-dhcp-ingress`, comments merely mentioning calico — is not.
 */
import { tokenizeRuleSpec, type SavedRule, type SavedTable } from './parse.js';

export const FELIX_CHAIN_PREFIXES = [
  'cali-',
  'califw-',
  'calitw-',
  'califh-',
  'calith-',
  'calipi-',
  'calipo-',
  'felix-',
] as const;

/** Felix's own rule comment: `cali:` and a url-safe base64 hash (never match a specific hash). */
const FELIX_COMMENT = /^cali:[A-Za-z0-9_-]+$/;

export function isFelixChain(name: string): boolean {
  return FELIX_CHAIN_PREFIXES.some((prefix) => name.startsWith(prefix));
}

/** Values that follow `flag` (or any of its aliases) in a tokenized rule. */
function valuesAfter(tokens: readonly string[], flags: readonly string[]): string[] {
  const values: string[] = [];
  tokens.forEach((token, i) => {
    const next = tokens[i + 1];
    if (flags.includes(token) && next !== undefined) values.push(next);
  });
  return values;
}

export function ruleTargets(tokens: readonly string[]): string[] {
  return valuesAfter(tokens, ['-j', '--jump', '-g', '--goto']);
}

export function ruleComments(tokens: readonly string[]): string[] {
  return valuesAfter(tokens, ['--comment']);
}

export function ruleMatchSets(tokens: readonly string[]): string[] {
  return valuesAfter(tokens, ['--match-set']);
}

/** A rule outside Felix's chains that Felix wrote: it jumps into Felix's chains or carries a `cali:` comment. */
export function isCalicoHookRule(tokens: readonly string[]): boolean {
  return ruleTargets(tokens).some(isFelixChain) || ruleComments(tokens).some((c) => FELIX_COMMENT.test(c));
}

export interface TableVerdict {
  table: string;
  /** Calico's rules in chains that are not Calico's, in saved order. */
  hookRules: SavedRule[];
  /** Felix's chains, in saved order. */
  felixChains: string[];
  /** How many rules live inside Felix's chains (they go with the chain). */
  rulesInFelixChains: number;
  /** ipsets named by `--match-set` in rules that stay. */
  setsUsedBySurvivors: string[];
}

export function classifyTable(table: SavedTable): TableVerdict {
  const verdict: TableVerdict = {
    table: table.name,
    hookRules: [],
    felixChains: table.chains.filter((c) => isFelixChain(c.name)).map((c) => c.name),
    rulesInFelixChains: 0,
    setsUsedBySurvivors: [],
  };
  for (const rule of table.rules) {
    if (isFelixChain(rule.chain)) {
      verdict.rulesInFelixChains++;
      continue;
    }
    const tokens = tokenizeRuleSpec(rule.spec);
    if (isCalicoHookRule(tokens)) verdict.hookRules.push(rule);
    else verdict.setsUsedBySurvivors.push(...ruleMatchSets(tokens));
  }
  return verdict;
}

/** Whether the table holds anything of Calico's. */
export function hasCalicoState(verdict: TableVerdict): boolean {
  return verdict.hookRules.length > 0 || verdict.felixChains.length > 0;
}
