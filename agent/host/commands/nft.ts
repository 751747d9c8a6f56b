/** Every nft argv the agent runs. Pure: no I/O here. */

/** List every nftables table as `table <family> <name>` lines. */
export function nftListTablesArgv(): string[] {
  return ['nft', 'list', 'tables'];
}

/** Run one atomic batch read from stdin. */
export function nftBatchArgv(): string[] {
  return ['nft', '-f', '-'];
}
