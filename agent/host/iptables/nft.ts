/**
 * Calico's own nftables tables (`table ip calico`, `table ip6 calico`, `table arp calico-arp`, and
 * `inet`/`ip6` variants): found with `nft list tables`, removed in ONE `nft -f -` batch of
 * `add table X` + `delete table X` lines (nft 1.0.6 has no `destroy`; the `add` makes the batch succeed
 * even if the table vanished meanwhile).
 */
import type { CommandRunner } from '../exec.js';
import { nftBatchArgv, nftListTablesArgv } from '../commands/nft.js';

/** Table names Calico's nftables dataplane creates. */
export const CALICO_NFT_TABLE_NAMES = ['calico', 'calico-arp'] as const;

/** `<family> <name>` of every table in `nft list tables` output that is Calico's. Pure. */
export function calicoNftTables(listOutput: string): string[] {
  const tables: string[] = [];
  for (const line of listOutput.split('\n')) {
    const [keyword, family, name, ...rest] = line.trim().split(/\s+/);
    if (keyword !== 'table' || family === undefined || name === undefined || rest.length > 0) continue;
    if ((CALICO_NFT_TABLE_NAMES as readonly string[]).includes(name)) tables.push(`${family} ${name}`);
  }
  return tables;
}

/** The one atomic batch that removes the given tables. Pure. */
export function buildNftPayload(tables: readonly string[]): string {
  return tables.map((t) => `add table ${t}\ndelete table ${t}\n`).join('');
}

export async function planNftCleanup(run: CommandRunner, timeoutMs: number): Promise<string[]> {
  const res = await run(nftListTablesArgv(), { timeoutMs });
  return calicoNftTables(res.stdout);
}

/** Remove the tables in one transaction. Returns how many were removed. */
export async function applyNftTables(run: CommandRunner, tables: readonly string[], timeoutMs: number): Promise<number> {
  if (tables.length === 0) return 0;
  await run(nftBatchArgv(), { input: buildNftPayload(tables), timeoutMs });
  return tables.length;
}
