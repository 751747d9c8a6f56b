/** argv of every `ipset` command the agent runs. */

/** The names of all sets, one a line. */
export const listIpsetNamesArgv = (): string[] => ['ipset', 'list', '-n'];

/** Reads `destroy NAME` lines from stdin: every set in one process. */
export const ipsetRestoreArgv = (): string[] => ['ipset', 'restore'];

/** The `ipset restore` payload destroying these sets. */
export const ipsetDestroyPayload = (names: readonly string[]): string =>
  names.map((name) => `destroy ${name}\n`).join('');
