/**
 * Checks on the two CNIs' settings: Cilium present and in secondary mode, the CiliumNodeConfig, the tunnel
 * port against Calico's VXLAN port, Calico's autodetection, BGP, MTU and the Calico policies Cilium ignores.
 */
import { CILIUM_MIGRATION_LABEL, CILIUM_MIGRATION_LABEL_VALUE, CILIUM_NAMESPACE, CILIUM_NODE_CONFIG_NAME } from '../../../shared/names.js';
import type { CalicoFacts, CiliumConfigFacts, ClusterFacts } from '../facts/model.js';
import { blocker, nameList, warning, type Finding } from './findings.js';

/** What generates the values and the CiliumNodeConfig that fix most Cilium findings. */
const VALUES_FIX = 'helm upgrade --install cilium cilium/cilium -n kube-system -f <(cni-migrate values --stage migration)';
const NODE_CONFIG = `CiliumNodeConfig ${CILIUM_NAMESPACE}/${CILIUM_NODE_CONFIG_NAME}`;
const MIGRATION_SELECTOR = `${CILIUM_MIGRATION_LABEL}=${CILIUM_MIGRATION_LABEL_VALUE}`;

/** Cilium must run beside Calico without taking any node: custom CNI conf, no policy, host legacy routing, tunnel. */
function secondaryModeProblems(c: CiliumConfigFacts): string[] {
  const problems: string[] = [];
  if (!c.customCniConf) problems.push('custom-cni-conf is not "true" (Cilium would take every node at once)');
  if (c.enablePolicy !== 'never') problems.push(`enable-policy is "${c.enablePolicy}", not "never" (Calico pods would be dropped by Cilium's policy)`);
  if (!c.hostLegacyRouting) problems.push('enable-host-legacy-routing is not "true" (Cilium and Calico pods could not reach each other)');
  if (c.routingMode !== 'tunnel') problems.push(`routing-mode is "${c.routingMode ?? 'unset'}", not "tunnel"`);
  if (c.ipam !== 'cluster-pool') problems.push(`ipam is "${c.ipam ?? 'unset'}", not "cluster-pool" (Cilium needs its own pod pool)`);
  return problems;
}

function ciliumChecks(f: ClusterFacts): Finding[] {
  const c = f.cilium.config;
  if (!c) {
    return [blocker('cilium-installed', `Cilium is not installed: no ConfigMap ${CILIUM_NAMESPACE}/cilium-config`, `install Cilium in secondary mode: ${VALUES_FIX}`)];
  }
  const out: Finding[] = [];
  if (!f.cilium.daemonSetFound) out.push(blocker('cilium-installed', `cilium-config exists but DaemonSet ${CILIUM_NAMESPACE}/cilium does not`, `install Cilium: ${VALUES_FIX}`));
  const problems = secondaryModeProblems(c);
  if (problems.length > 0) out.push(blocker('cilium-secondary-mode', `Cilium is not in secondary (migration) mode: ${problems.join('; ')}`, `reinstall with the migration values: ${VALUES_FIX}`));
  return out;
}

function nodeConfigChecks(f: ClusterFacts): Finding[] {
  const nc = f.cilium.nodeConfig;
  const apply = `kubectl apply --server-side -f deploy/cilium/ciliumnodeconfig.yaml (apiVersion cilium.io/${nc.version ?? 'v2'})`;
  if (nc.servedVersions.length === 0) return [blocker('ciliumnodeconfig', 'the cluster serves no CiliumNodeConfig (CRD ciliumnodeconfigs.cilium.io is absent)', 'install Cilium 1.13 or newer, whose operator registers the CRD')];
  if (!nc.exists) return [blocker('ciliumnodeconfig', `${NODE_CONFIG} does not exist: a labelled node would never switch to Cilium`, apply)];
  if (!nc.selectsMigrationLabel) {
    const found = JSON.stringify(nc.matchLabels ?? {});
    return [blocker('ciliumnodeconfig', `${NODE_CONFIG} selects ${found}, not exactly ${MIGRATION_SELECTOR}: the nodes cni-migrate labels would not switch`, apply)];
  }
  if (nc.defaults['custom-cni-conf'] !== 'false') return [blocker('ciliumnodeconfig', `${NODE_CONFIG} does not set custom-cni-conf "false": a selected node would keep Calico's CNI`, apply)];
  return [];
}

/** Calico uses VXLAN when a pool says so (its VXLAN device listens on Felix's vxlanPort). */
const calicoVxlan = (c: CalicoFacts): boolean => c.ipPools.some((p) => p.vxlanMode !== 'Never');

function tunnelPortChecks(f: ClusterFacts): Finding[] {
  const c = f.cilium.config;
  if (!c || c.routingMode !== 'tunnel') return [];
  const felixPort = f.calico.felix.vxlanPort;
  if (c.tunnelPort !== felixPort) return [];
  const used = calicoVxlan(f.calico) ? 'Calico VXLAN uses' : 'Calico VXLAN would use';
  return [blocker('tunnel-port', `Cilium's tunnel port ${c.tunnelPort}${c.tunnelPortSet ? '' : ' (its default)'} is the port ${used} (FelixConfiguration vxlanPort ${felixPort})`, `set Cilium's tunnelPort to a free port such as 8473: ${VALUES_FIX}`)];
}

function calicoChecks(f: ClusterFacts): Finding[] {
  const c = f.calico;
  const out: Finding[] = [];
  if (c.install === 'absent') out.push(warning('calico-installed', 'no Calico install found (neither the operator nor calico-node)', 'nothing to migrate from: check the cluster and kubeconfig'));
  if (c.install !== 'absent' && c.autodetection.method === 'firstFound') {
    const fix = c.install === 'operator'
      ? 'kubectl patch installation default --type=merge -p \'{"spec":{"calicoNetwork":{"nodeAddressAutodetectionV4":{"kubernetes":"NodeInternalIP"}}}}\''
      : 'kubectl -n kube-system set env daemonset/calico-node IP_AUTODETECTION_METHOD=kubernetes-internal-ip';
    out.push(blocker('calico-autodetection', `Calico's address autodetection is firstFound (${c.autodetection.source}): once Cilium runs it can pick cilium_host and calico-node goes NotReady`, fix));
  }
  if (c.bgp.enabled) out.push(warning('calico-bgp', `Calico routes with BGP (${c.bgp.source}): Cilium's migration guide is untested with BGP-routed Calico`, 'prefer VXLAN pools before migrating, or test the migration on a staging cluster first'));
  if (c.bgp.peers.length > 0) {
    const peers = nameList(c.bgp.peers.map((p) => `${p.name} (${p.peerIP}${p.asNumber ? ` AS ${p.asNumber}` : ''})`));
    out.push(warning('calico-bgp-peers', `Calico peers with external BGP routers: ${peers}; their routes to pod CIDRs disappear with Calico`, 'plan the routers\' side (Cilium BGP control plane or static routes) before Calico is removed'));
  }
  return out;
}

/** Both overlays must give pods the same MTU (underlay − 50 for VXLAN). */
function mtuChecks(f: ClusterFacts): Finding[] {
  const calico = f.calico.mtu;
  const underlay = f.cilium.config?.mtu;
  if (!calico || underlay === undefined) return [];
  const cilium = underlay - 50;
  if (calico.value === cilium) return [];
  return [blocker('mtu', `pod MTU differs: Calico ${calico.value} (${calico.source}), Cilium ${cilium} (cilium-config mtu ${underlay} − 50 for VXLAN); cross-CNI traffic would drop large packets`, `set Cilium's MTU to ${calico.value + 50} (Helm value MTU) or Calico's to ${cilium}`)];
}

function policyChecks(f: ClusterFacts): Finding[] {
  const ps = f.calico.policies;
  if (ps.length === 0) return [];
  const counts = new Map<string, number>();
  for (const p of ps) counts.set(p.kind, (counts.get(p.kind) ?? 0) + 1);
  const byKind = [...counts].map(([k, n]) => `${n} ${k}`).join(', ');
  const names = nameList(ps.map((p) => `${p.kind} ${p.namespace ? `${p.namespace}/` : ''}${p.name}`));
  return [warning('calico-policies', `Cilium will not enforce Calico's own policies: ${byKind} (${names})`, 'translate them to NetworkPolicy or CiliumNetworkPolicy before Calico is removed')];
}

export function cniChecks(f: ClusterFacts): Finding[] {
  return [...ciliumChecks(f), ...nodeConfigChecks(f), ...tunnelPortChecks(f), ...calicoChecks(f), ...mtuChecks(f), ...policyChecks(f)];
}
