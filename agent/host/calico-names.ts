/**
 * What on a node belongs to Calico, by name and by route protocol. Pure predicates, one place.
 */

/** Felix's ipsets: `cali40…`/`cali60…`, temporaries `cali4t…`/`cali6t…`, historic `felix-…`. */
export const isCalicoIpset = (name: string): boolean => /^(cali40|cali60|cali4t|cali6t|felix-)/.test(name);

/** Links Calico creates and that are safe to delete. */
const CALICO_LINK_NAMES = new Set(['vxlan.calico', 'vxlan-v6.calico', 'wireguard.cali', 'wg-v6.cali']);
/** The host side of a workload veth: `cali` + 11 hex characters. */
const WORKLOAD_VETH = /^cali[0-9a-f]{11}$/;

export const isCalicoLink = (name: string): boolean => CALICO_LINK_NAMES.has(name) || WORKLOAD_VETH.test(name);

/** The ipip module's own device: it cannot be deleted, only cleared and set down. */
export const IPIP_DEVICE = 'tunl0';

/**
 * Devices on which Felix's device-route protocol (3, "boot") marks a route as Calico's: its workload
 * veths (`cali` + 11 hex, so a `calico-dummy` of someone else's stays) and its tunnel devices.
 */
export const isCalicoRouteDevice = (dev: string | undefined): boolean => dev !== undefined && isCalicoLink(dev);

/** BIRD's protocol (12) and Felix's own (80), in either spelling `ip` may print. */
const CALICO_ROUTE_PROTOCOLS = new Set(['12', 'bird', '80']);
const BOOT_PROTOCOLS = new Set(['3', 'boot']);

export const isCalicoRouteProtocol = (protocol: string | undefined, dev: string | undefined): boolean => {
  if (protocol === undefined) return false;
  if (CALICO_ROUTE_PROTOCOLS.has(protocol)) return true;
  return BOOT_PROTOCOLS.has(protocol) && isCalicoRouteDevice(dev);
};

/** The process name calico-node runs under (as `/proc/<pid>/comm` shows it). */
export const CALICO_NODE_COMM = 'calico-node';

/** WireGuard's policy rule sits at this priority and looks up Calico's routing table. */
export const CALICO_WIREGUARD_RULE_PRIORITY = 99;
