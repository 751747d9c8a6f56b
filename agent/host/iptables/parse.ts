/**
 * Parse `iptables-save` text (legacy or nft, either family) into tables, chains and rules. Pure.
 *
 * Each rule keeps its exact saved text: the cleanup deletes a rule by replaying that text after `-D`,
 * which is what `iptables-restore` matches against.
 */
import { CniMigrateError } from '../../../shared/errors.js';

export interface SavedRule {
  chain: string;
  /** Everything after `-A <chain> `, exactly as saved. */
  spec: string;
}

export interface SavedChain {
  name: string;
  /** `ACCEPT`/`DROP` for built-in chains, `-` for user chains. */
  policy: string;
}

export interface SavedTable {
  name: string;
  chains: SavedChain[];
  rules: SavedRule[];
}

const CHAIN_LINE = /^:(\S+) (\S+)/;
const RULE_LINE = /^-A (\S+)(?: (.*))?$/;
/** One argument: a run of quoted parts (`"…"`, backslash escapes inside) and bare non-blank characters. */
const TOKEN = /(?:"(?:\\.|[^"\\])*"?|[^\s"]+)+/g;
const TOKEN_PART = /"((?:\\.|[^"\\])*)"?|[^\s"]+/g;

function parseError(lineNo: number, line: string, why: string): CniMigrateError {
  return new CniMigrateError('Internal', `iptables-save line ${lineNo}: ${why}: ${line.slice(0, 200)}`);
}

function addLineToTable(table: SavedTable, line: string, lineNo: number): void {
  const chain = CHAIN_LINE.exec(line);
  if (chain?.[1] !== undefined && chain[2] !== undefined) {
    table.chains.push({ name: chain[1], policy: chain[2] });
    return;
  }
  const rule = RULE_LINE.exec(line);
  if (rule?.[1] === undefined) throw parseError(lineNo, line, 'not a chain or rule line');
  table.rules.push({ chain: rule[1], spec: rule[2] ?? '' });
}

/** Tables in the order saved. Comment lines (`# …`) and blank lines are ignored. */
export function parseIptablesSave(text: string): SavedTable[] {
  const tables: SavedTable[] = [];
  let current: SavedTable | undefined;
  text.split('\n').forEach((raw, index) => {
    const line = raw.trimEnd();
    if (line === '' || line.startsWith('#')) return;
    if (line.startsWith('*')) {
      current = { name: line.slice(1), chains: [], rules: [] };
      tables.push(current);
    } else if (line === 'COMMIT') {
      current = undefined;
    } else if (current === undefined) {
      throw parseError(index + 1, line, 'outside of a table');
    } else {
      addLineToTable(current, line, index + 1);
    }
  });
  return tables;
}

/**
 * Split a saved rule spec into arguments the way `iptables-restore` does: whitespace separates,
 * double quotes group, and a backslash inside quotes escapes the next character.
 */
export function tokenizeRuleSpec(spec: string): string[] {
  const tokens: string[] = [];
  for (const match of spec.matchAll(TOKEN)) {
    const parts = match[0].matchAll(TOKEN_PART);
    tokens.push([...parts].map((p) => (p[1] === undefined ? p[0] : p[1].replace(/\\(.)/g, '$1'))).join(''));
  }
  return tokens;
}
