/**
 * The inventory of Calico's leftovers on this node: firewall, ipsets, routes, rules, links, files.
 * Taking it changes nothing. A cleanup plans from it, and its count after a cleanup is the leftover.
 */
import type { CommandRunner } from './exec.js';
import type { FirewallCleanup, FirewallPlan } from './firewall-step.js';
import { listIpsetNames, planIpsets, type IpsetPlan } from './ipsets.js';
import { describeRoute, isCalicoRoute, listAllRoutes, type Route } from './routes.js';
import { describeRule, isCalicoRule, listAllRules, type IpRule } from './ip-rules.js';
import { linkPlanSize, listLinks, planLinks, type LinkPlan } from './links.js';
import { findCalicoFiles } from './calico-files.js';

export interface InventorySources {
  run: CommandRunner;
  firewall: FirewallCleanup;
  hostRoot: string;
}

export interface NodeInventory {
  firewall: FirewallPlan;
  ipsets: IpsetPlan;
  routes: Route[];
  rules: IpRule[];
  links: LinkPlan;
  files: string[];
}

/** Tables that hold Calico routes: a priority-99 rule pointing at one is Calico's. */
const calicoTables = (routes: readonly Route[]): Set<string> =>
  new Set(routes.flatMap((r) => (r.table === undefined ? [] : [r.table])));

export async function takeInventory(src: InventorySources): Promise<NodeInventory> {
  const firewall = await src.firewall.plan();
  const routes = (await listAllRoutes(src.run)).filter(isCalicoRoute);
  const tables = calicoTables(routes);
  const rules = (await listAllRules(src.run)).filter((r) => isCalicoRule(r, tables));
  return {
    firewall,
    ipsets: planIpsets(await listIpsetNames(src.run), firewall.ipsetsReferencedByOthers),
    routes,
    rules,
    links: planLinks(await listLinks(src.run)),
    files: await findCalicoFiles(src.hostRoot),
  };
}

/** Calico's items by kind. Kept ipsets count too: they are Calico's and still there. */
export function inventoryCounts(inv: NodeInventory): Record<string, number> {
  return {
    ...inv.firewall.counts,
    ipsets: inv.ipsets.destroy.length + inv.ipsets.keptReferenced.length,
    routes: inv.routes.length,
    'ip-rules': inv.rules.length,
    links: linkPlanSize(inv.links),
    files: inv.files.length,
  };
}

export const leftoverCount = (inv: NodeInventory): number =>
  Object.values(inventoryCounts(inv)).reduce((a, b) => a + b, 0);

/** One line per item that would go, then what stays. */
export function describeInventory(inv: NodeInventory): string[] {
  return [
    ...inv.firewall.payloads.map((p) => `firewall transaction:\n${p}`),
    ...inv.ipsets.destroy.map((n) => `ipset ${n}`),
    ...inv.rules.map((r) => `ip -${r.family} rule ${describeRule(r)}`),
    ...inv.routes.map((r) => `ip -${r.family} route ${describeRoute(r)}`),
    ...inv.links.remove.map((n) => `link ${n}`),
    ...(inv.links.clearIpip ? ['link tunl0: addresses flushed, set down (not deletable)'] : []),
    ...inv.files.map((f) => `file ${f}`),
  ];
}

/** What a cleanup leaves on purpose. */
export function describeKept(inv: NodeInventory): string[] {
  return [
    ...inv.firewall.notes,
    ...inv.ipsets.keptReferenced.map((n) => `kept ipset ${n}: a non-Calico rule references it`),
    ...(inv.links.kept.length > 0 ? [`kept links (not Calico's): ${inv.links.kept.join(', ')}`] : []),
  ];
}
