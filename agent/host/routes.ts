/**
 * Calico's routes: inventory (`ip -N -j -d route show table all`, per family), pure selection, and
 * removal in one `ip -batch -` per family, each line built from the route's own JSON.
 */
import { z } from 'zod';
import type { CommandRunner } from './exec.js';
import { listRoutesArgv, type IpFamily } from './commands/ip.js';
import { isCalicoRouteProtocol } from './calico-names.js';
import { listIpJson } from './ip-json.js';

const RouteSchema = z.looseObject({
  type: z.string().optional(),
  dst: z.string(),
  gateway: z.string().optional(),
  dev: z.string().optional(),
  table: z.string().optional(),
  protocol: z.string().optional(),
  scope: z.string().optional(),
  metric: z.number().optional(),
});
export type Route = z.infer<typeof RouteSchema> & { family: IpFamily };

/** Route types by number (`-N` prints them so) to the names `ip route del` takes. */
const ROUTE_TYPE_NAMES: Record<string, string> = {
  '1': 'unicast',
  '2': 'local',
  '3': 'broadcast',
  '4': 'anycast',
  '5': 'multicast',
  '6': 'blackhole',
  '7': 'unreachable',
  '8': 'prohibit',
  '9': 'throw',
};
const DEVICELESS_TYPES = new Set(['blackhole', 'unreachable', 'prohibit', 'throw']);

export const routeTypeName = (type: string | undefined): string =>
  type === undefined ? 'unicast' : (ROUTE_TYPE_NAMES[type] ?? type);

export const isCalicoRoute = (route: Route): boolean => isCalicoRouteProtocol(route.protocol, route.dev);

/** The `route del …` line (for `ip -<family> -batch -`) that removes exactly this route. */
export function routeDeleteLine(route: Route): string {
  const type = routeTypeName(route.type);
  const words = ['route', 'del', type, route.dst];
  if (route.gateway !== undefined) words.push('via', route.gateway);
  if (route.dev !== undefined && !DEVICELESS_TYPES.has(type)) words.push('dev', route.dev);
  if (route.table !== undefined) words.push('table', route.table);
  if (route.protocol !== undefined) words.push('proto', route.protocol);
  if (route.scope !== undefined) words.push('scope', route.scope);
  if (route.metric !== undefined) words.push('metric', String(route.metric));
  return words.join(' ');
}

export const describeRoute = (route: Route): string => routeDeleteLine(route).replace(/^route del /, '');

export async function listRoutes(run: CommandRunner, family: IpFamily): Promise<Route[]> {
  const routes = await listIpJson(run, listRoutesArgv(family), RouteSchema);
  return routes.map((r) => ({ ...r, family }));
}

export async function listAllRoutes(run: CommandRunner): Promise<Route[]> {
  return [...(await listRoutes(run, 4)), ...(await listRoutes(run, 6))];
}
