/**
 * Build one table's `iptables-restore --noflush` delta. Pure.
 *
 *   *<table>
 *   -D <chain> <exact saved spec>     every Calico rule in a chain that stays
 *   :<felix chain> - [0:0]            declaring a chain in --noflush mode flushes it
 *   -X <felix chain>                  then every Felix chain is deleted
 *   COMMIT
 *
 * Rules the payload does not name are never touched, so rules other owners add meanwhile survive.
 */
import type { SavedRule } from './parse.js';

export function ruleDeleteLine(rule: SavedRule): string {
  return rule.spec === '' ? `-D ${rule.chain}` : `-D ${rule.chain} ${rule.spec}`;
}

/** The saved form of a rule, as `iptables-save` printed it. */
export function ruleAppendLine(rule: SavedRule): string {
  return rule.spec === '' ? `-A ${rule.chain}` : `-A ${rule.chain} ${rule.spec}`;
}

export function buildTablePayload(table: string, hookRules: readonly SavedRule[], felixChains: readonly string[]): string {
  const lines = [
    `*${table}`,
    ...hookRules.map(ruleDeleteLine),
    ...felixChains.map((chain) => `:${chain} - [0:0]`),
    ...felixChains.map((chain) => `-X ${chain}`),
    'COMMIT',
  ];
  return `${lines.join('\n')}\n`;
}
