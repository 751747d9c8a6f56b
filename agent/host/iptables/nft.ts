/**
 * Calico's own nftables tables (`table ip calico`, `table ip6 calico`, `table arp calico-arp`, and the
 * `inet` variant): each probed with `nft list table <family> <name>`, and removed in ONE `nft -f -` batch
 * of `add table X` + `delete table X` lines (nft 1.0.6 has no `destroy`; the `add` keeps the batch valid
 * even if the table vanished meanwhile).
 */
import { HostCommandError } from '../../../shared/errors.js';
import type { CommandResult, CommandRunner } from '../exec.js';
import { nftBatchArgv, nftListTableArgv } from '../commands/nft.js';

/** `<family> <name>` of every table Calico's nftables dataplane creates. */
export const CALICO_NFT_TABLES = ['ip calico', 'ip6 calico', 'inet calico', 'arp calico-arp'] as const;

/** Whether `nft list table` answered "no such table" (rather than failing for another reason). Pure. */
export function isMissingTable(res: CommandResult): boolean {
  return res.exitCode !== 0 && res.stderr.includes('No such file or directory');
}

/** The one atomic batch that removes the given tables. Pure. */
export function buildNftPayload(tables: readonly string[]): string {
  return tables.map((t) => `add table ${t}\ndelete table ${t}\n`).join('');
}

/** Which of Calico's nft tables exist, as `<family> <name>`. */
export async function planNftCleanup(run: CommandRunner, timeoutMs: number): Promise<string[]> {
  const present: string[] = [];
  for (const table of CALICO_NFT_TABLES) {
    const [family = '', name = ''] = table.split(' ');
    const argv = nftListTableArgv(family, name);
    const res = await run(argv, { allowFailure: true, timeoutMs });
    if (res.exitCode === 0) present.push(table);
    else if (!isMissingTable(res)) throw new HostCommandError(argv, res.exitCode, res.stderr);
  }
  return present;
}

/** Remove the tables in one transaction. Returns how many were removed. */
export async function applyNftTables(run: CommandRunner, tables: readonly string[], timeoutMs: number): Promise<number> {
  if (tables.length === 0) return 0;
  await run(nftBatchArgv(), { input: buildNftPayload(tables), timeoutMs });
  return tables.length;
}
