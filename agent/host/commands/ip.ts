/**
 * argv of every `ip` (iproute2) command the agent runs. Inventories read JSON; removals go through
 * one `ip -batch -` per address family, so a node with many routes costs one process, not thousands.
 */
export type IpFamily = 4 | 6;

const familyFlag = (family: IpFamily): string => (family === 4 ? '-4' : '-6');

/** Every route of one family in every table, numeric (`-N`) so `proto boot` shows as 3, with details. */
export const listRoutesArgv = (family: IpFamily): string[] => [
  'ip',
  familyFlag(family),
  '-N',
  '-j',
  '-d',
  'route',
  'show',
  'table',
  'all',
];

/** Every policy-routing rule of one family. */
export const listRulesArgv = (family: IpFamily): string[] => ['ip', familyFlag(family), '-j', 'rule', 'show'];

/** Every link with its kind (`-d`) and addresses. */
export const listLinksArgv = (): string[] => ['ip', '-j', '-d', 'address', 'show'];

/**
 * Runs the batch on stdin. `-force` keeps going past a line whose object vanished meanwhile (a route
 * that left with its device), so one stale line never strands the rest; a fresh inventory tells what is left.
 */
export const ipBatchArgv = (family?: IpFamily): string[] =>
  family === undefined ? ['ip', '-force', '-batch', '-'] : ['ip', familyFlag(family), '-force', '-batch', '-'];
