/** Every nft argv the agent runs. Pure: no I/O here. */

/**
 * Show one table. Cheap even beside a huge iptables-nft ruleset: nft only reads that table, whereas
 * `nft list tables` reads (and translates) every rule of every table first.
 */
export function nftListTableArgv(family: string, name: string): string[] {
  return ['nft', 'list', 'table', family, name];
}

/** Run one atomic batch read from stdin. */
export function nftBatchArgv(): string[] {
  return ['nft', '-f', '-'];
}
