/**
 * Cilium's Helm values, generated from what the cluster holds. `migration`: install Cilium beside Calico in
 * secondary mode, on a pool that overlaps nothing and a tunnel port that clashes with nothing. `final`: the
 * live release's own values (or, without Helm, what cilium-config shows) with the four promotion changes.
 * Each choice carries its reason as a YAML comment.
 */
import { Document, isScalar } from 'yaml';
import { cidrsOverlap, parseCidr, type Cidr } from './facts/cidr.js';
import type { CiliumConfigFacts, ClusterFacts } from './facts/model.js';

export type ValuesStage = 'migration' | 'final';

type Values = Record<string, unknown>;
type Why = [path: string[], comment: string];

/** Pools tried in order for Cilium: the seed's first, then other private /16s. */
const POOL_CANDIDATES = ['10.245.0.0/16', '10.246.0.0/16', '10.247.0.0/16', '10.248.0.0/16', '172.30.0.0/16', '172.29.0.0/16', '10.201.0.0/16'];
const PORT_CANDIDATES = [8473, 8474, 8475, 8476];

function taken(f: ClusterFacts): Cidr[] {
  const texts = [
    ...f.calico.ipPools.map((p) => p.cidr),
    ...f.network.serviceCidrs,
    ...(f.network.podSubnet ? [f.network.podSubnet] : []),
    ...f.network.nodes.flatMap((n) => n.internalIPs),
  ];
  return texts.map(parseCidr).filter((c) => c !== undefined);
}

/** Cilium's pool: the live one when it overlaps nothing, else the first candidate that overlaps nothing. */
export function chooseCiliumPool(f: ClusterFacts): { cidr: string; why: string } {
  const used = taken(f);
  const free = (text: string): boolean => {
    const c = parseCidr(text);
    return c !== undefined && !used.some((u) => cidrsOverlap(u, c));
  };
  const live = f.cilium.config?.clusterPoolIPv4Cidrs[0];
  if (live && free(live)) return { cidr: live, why: 'Cilium\'s pool as cilium-config shows it; it overlaps no Calico pool, Service CIDR or node address' };
  const pick = POOL_CANDIDATES.find(free) ?? '10.245.0.0/16';
  const calico = f.calico.ipPools.map((p) => p.cidr).join(', ') || 'none';
  return { cidr: pick, why: `overlaps no Calico pool (${calico}), Service CIDR (${f.network.serviceCidrs.join(', ') || 'unknown'}) or node address` };
}

function chooseTunnelPort(f: ClusterFacts): { port: number; why: string } {
  const felix = f.calico.felix.vxlanPort;
  const port = PORT_CANDIDATES.find((p) => p !== felix) ?? 8473;
  return { port, why: `differs from Calico's VXLAN port ${felix} (FelixConfiguration vxlanPort)` };
}

function migrationValues(f: ClusterFacts): { values: Values; why: Why[] } {
  const pool = chooseCiliumPool(f);
  const port = chooseTunnelPort(f);
  const mtu = f.calico.mtu;
  const values: Values = {
    operator: { unmanagedPodWatcher: { restart: false } },
    routingMode: 'tunnel',
    tunnelProtocol: 'vxlan',
    tunnelPort: port.port,
    cni: { customConf: true, uninstall: false },
    ipam: { mode: 'cluster-pool', operator: { clusterPoolIPv4PodCIDRList: [pool.cidr] } },
    policyEnforcementMode: 'never',
    bpf: { hostLegacyRouting: true },
    ...(mtu ? { MTU: mtu.value + 50 } : {}),
  };
  const why: Why[] = [
    [['operator', 'unmanagedPodWatcher', 'restart'], 'migration: do not restart pods Cilium does not manage yet (those still on Calico)'],
    [['routingMode'], 'migration: a second overlay beside Calico\'s'],
    [['tunnelPort'], `migration: ${port.why}`],
    [['cni', 'customConf'], 'migration: write no CNI configuration on install; the CiliumNodeConfig does, node by node'],
    [['cni', 'uninstall'], 'migration: keep the CNI configuration when a Cilium pod stops'],
    [['ipam', 'mode'], 'Cilium\'s own pool, so a pod\'s address tells which CNI serves it'],
    [['policyEnforcementMode'], 'migration: no policy while pods sit on both networks'],
    [['bpf', 'hostLegacyRouting'], 'migration: route through the host stack so Cilium and Calico pods reach each other'],
  ];
  if (mtu) why.push([['MTU'], `underlay MTU: Calico's pod MTU ${mtu.value} (${mtu.source}) + 50 for VXLAN, so both overlays match`]);
  return { values, why: [...why, [['ipam', 'operator', 'clusterPoolIPv4PodCIDRList', '0'], `migration: ${pool.why}`]] };
}

/** What the live Cilium runs with, as Helm values: the release's user values, else read back from cilium-config. */
function liveValues(f: ClusterFacts): { values: Values; source: string } {
  const h = f.cilium.helm;
  if (typeof h !== 'string') return { values: structuredClone(h.userValues), source: `the user values of Helm release ${h.namespace}/${h.name} revision ${h.revision}` };
  return { values: valuesFromConfig(f.cilium.config), source: 'live cilium-config (no Helm release was found)' };
}

function valuesFromConfig(c: CiliumConfigFacts | undefined): Values {
  if (!c) return { routingMode: 'tunnel', tunnelProtocol: 'vxlan', cni: { uninstall: false }, ipam: { mode: 'cluster-pool' } };
  return {
    routingMode: c.routingMode ?? 'tunnel',
    tunnelProtocol: c.tunnelProtocol ?? 'vxlan',
    ...(c.tunnelPortSet ? { tunnelPort: c.tunnelPort } : {}),
    cni: { uninstall: false },
    ipam: { mode: c.ipam ?? 'cluster-pool', operator: { clusterPoolIPv4PodCIDRList: c.clusterPoolIPv4Cidrs } },
    ...(c.mtu ? { MTU: c.mtu } : {}),
  };
}

function setIn(v: Values, path: readonly string[], value: unknown): void {
  let o = v;
  for (const k of path.slice(0, -1)) {
    const next = o[k];
    o[k] = typeof next === 'object' && next !== null && !Array.isArray(next) ? next : {};
    o = o[k] as Values;
  }
  o[path[path.length - 1] ?? ''] = value;
}

function finalValues(f: ClusterFacts): { values: Values; why: Why[]; header: string } {
  const { values, source } = liveValues(f);
  setIn(values, ['operator', 'unmanagedPodWatcher', 'restart'], true);
  setIn(values, ['cni', 'customConf'], false);
  setIn(values, ['policyEnforcementMode'], 'default');
  setIn(values, ['bpf', 'hostLegacyRouting'], false);
  const why: Why[] = [
    [['operator', 'unmanagedPodWatcher', 'restart'], 'promotion: Cilium is the only CNI now: restart any pod it does not manage'],
    [['cni', 'customConf'], 'promotion: Cilium writes and owns the CNI configuration on every node'],
    [['policyEnforcementMode'], 'promotion: NetworkPolicies are enforced again'],
    [['bpf', 'hostLegacyRouting'], 'promotion: eBPF host routing; each node\'s Cilium restart causes a short interruption'],
  ];
  return { values, why, header: `Everything else is ${source}: IPAM and the tunnel stay as they are (changing them would renumber running pods).` };
}

const HEADERS: Record<ValuesStage, string> = {
  migration: [
    'Helm values for installing Cilium next to Calico, before any node is migrated, generated from the cluster',
    '(`cni-migrate values --stage migration`): `helm install cilium cilium/cilium -n kube-system -f <this file>`.',
    'Cilium runs its own overlay on every node but writes no CNI configuration until a node is labelled',
    'io.cilium.migration/cilium-default=true and its Cilium pod restarts (see ciliumnodeconfig.yaml).',
  ].join('\n'),
  final: [
    'Helm values after every node is migrated (promotion), generated from the cluster (`cni-migrate values --stage final`):',
    '`helm upgrade cilium cilium/cilium -n kube-system -f <this file>`, then `kubectl -n kube-system rollout restart ds/cilium`,',
    'then delete the CiliumNodeConfig.',
  ].join('\n'),
};

/** The values document for a stage, with a comment on each choice. */
export function ciliumValues(stage: ValuesStage, f: ClusterFacts): string {
  const out = stage === 'migration' ? { ...migrationValues(f), header: '' } : finalValues(f);
  const doc = new Document(out.values);
  doc.commentBefore = ` ${[HEADERS[stage], out.header].filter(Boolean).join('\n').replace(/\n/g, '\n ')}`;
  for (const [path, comment] of out.why) {
    const node = doc.getIn(path.map((k) => (/^\d+$/.test(k) ? Number(k) : k)), true);
    if (isScalar(node)) node.comment = ` ${comment}`;
  }
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}
