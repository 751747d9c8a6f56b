/**
 * Calico's ipsets: listed with `ipset list -n`, destroyed in one `ipset restore` once the iptables
 * plan was applied. A set a non-Calico rule still references is kept and reported.
 */
import type { CommandRunner } from './exec.js';
import { ipsetDestroyPayload, ipsetRestoreArgv, listIpsetNamesArgv } from './commands/ipset.js';
import { isCalicoIpset } from './calico-names.js';

export interface IpsetPlan {
  destroy: string[];
  /** Calico sets kept because a non-Calico rule references them. */
  keptReferenced: string[];
}

export function planIpsets(names: readonly string[], referencedByOthers: readonly string[]): IpsetPlan {
  const referenced = new Set(referencedByOthers);
  const calico = names.filter(isCalicoIpset);
  return {
    destroy: calico.filter((n) => !referenced.has(n)),
    keptReferenced: calico.filter((n) => referenced.has(n)),
  };
}

export const parseIpsetNames = (stdout: string): string[] =>
  stdout
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');

export async function listIpsetNames(run: CommandRunner): Promise<string[]> {
  const { stdout } = await run(listIpsetNamesArgv());
  return parseIpsetNames(stdout);
}

/** Destroys the planned sets in one process. Returns the error text when the kernel refused one. */
export async function destroyIpsets(run: CommandRunner, plan: IpsetPlan): Promise<string | undefined> {
  if (plan.destroy.length === 0) return undefined;
  const res = await run(ipsetRestoreArgv(), { input: ipsetDestroyPayload(plan.destroy), allowFailure: true });
  return res.exitCode === 0 ? undefined : res.stderr.trim() || `ipset restore exited ${res.exitCode}`;
}
