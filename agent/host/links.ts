/**
 * Calico's links: `vxlan.calico`, `vxlan-v6.calico`, `wireguard.cali`, `wg-v6.cali` and the workload
 * veths are deleted; `tunl0` (ipip's own device, which cannot be deleted) is cleared and set down.
 */
import { z } from 'zod';
import type { CommandRunner } from './exec.js';
import { listLinksArgv } from './commands/ip.js';
import { IPIP_DEVICE, isCalicoLink } from './calico-names.js';
import { listIpJson } from './ip-json.js';

const LinkSchema = z.looseObject({
  ifname: z.string(),
  flags: z.array(z.string()).default([]),
  addr_info: z.array(z.looseObject({ local: z.string().optional() })).default([]),
});
export type Link = z.infer<typeof LinkSchema>;

export interface LinkPlan {
  /** Links to delete. */
  remove: string[];
  /** `tunl0`, when it still has addresses or is up. */
  clearIpip: boolean;
  /** Everything else, left as it is. */
  kept: string[];
}

const ipipNeedsClearing = (link: Link): boolean =>
  link.ifname === IPIP_DEVICE && (link.flags.includes('UP') || link.addr_info.length > 0);

export function planLinks(links: readonly Link[]): LinkPlan {
  return {
    remove: links.filter((l) => isCalicoLink(l.ifname)).map((l) => l.ifname),
    clearIpip: links.some(ipipNeedsClearing),
    kept: links.filter((l) => !isCalicoLink(l.ifname)).map((l) => l.ifname),
  };
}

export const linkPlanSize = (plan: LinkPlan): number => plan.remove.length + (plan.clearIpip ? 1 : 0);

/** Lines for `ip -force -batch -`: deletions, then tunl0 flushed and down. */
export function linkBatchLines(plan: LinkPlan): string[] {
  const lines = plan.remove.map((name) => `link del dev ${name}`);
  if (plan.clearIpip) lines.push(`address flush dev ${IPIP_DEVICE}`, `link set dev ${IPIP_DEVICE} down`);
  return lines;
}

export async function listLinks(run: CommandRunner): Promise<Link[]> {
  return listIpJson(run, listLinksArgv(), LinkSchema);
}
