/**
 * The neighbours of Felix in a node's tables: kube-proxy, Cilium, Docker and user rules, plus the decoys
 * a cleanup must leave alone (`-i cali+` user rules, `calico-dhcp-ingress`, a comment mentioning calico).
 */
import { BASE32, v6, type FamilyBuilder, type FixtureFamily } from './iptables-fixture-builder.js';

export const USER_IPSETS: Record<FixtureFamily, string> = { ipv4: 'user-allowlist', ipv6: 'user-allowlist6' };

/** kube-proxy, Cilium, Docker and user rules, plus the decoys: none of it is Calico's. */
export function addOthers(b: FamilyBuilder): void {
  const ip = (n: number): string => (v6(b) ? `fd00:10:96::${n.toString(16)}` : `10.96.0.${n}`);
  const ep = (n: number): string => (v6(b) ? `[fd00:10:244::${n.toString(16)}]:8080` : `10.244.0.${n}:8080`);
  b.chain('mangle', 'KUBE-IPTABLES-HINT');
  b.chain('mangle', 'KUBE-KUBELET-CANARY');
  b.add('mangle', 'PREROUTING', '-m comment --comment "cilium-feeder: CILIUM_PRE_mangle" -j CILIUM_PRE_mangle', false);
  b.add('mangle', 'CILIUM_PRE_mangle', '-m mark --mark 0xa00/0xf00 -j ACCEPT', false);
  b.add('raw', 'PREROUTING', '-m comment --comment "cilium-feeder: CILIUM_PRE_raw" -j CILIUM_PRE_raw', false);
  b.add('raw', 'CILIUM_PRE_raw', '-m mark --mark 0x200/0xf00 -m comment --comment "cilium: NOTRACK for proxy traffic" -j CT --notrack', false);
  b.add('nat', 'PREROUTING', '-m comment --comment "kubernetes service portals" -j KUBE-SERVICES', false);
  b.add('nat', 'OUTPUT', '-m comment --comment "kubernetes service portals" -j KUBE-SERVICES', false);
  b.add('nat', 'POSTROUTING', '-m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING', false);
  b.add('nat', 'POSTROUTING', '-m comment --comment "cilium-feeder: CILIUM_POST_nat" -j CILIUM_POST_nat', false);
  b.add('nat', 'CILIUM_POST_nat', '-o cilium_host -m comment --comment "cilium host->cluster masquerade" -j MASQUERADE', false);
  b.add('nat', 'KUBE-POSTROUTING', '-m mark ! --mark 0x4000/0x4000 -j RETURN', false);
  b.add('nat', 'KUBE-POSTROUTING', '-m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE', false);
  b.add('nat', 'KUBE-MARK-MASQ', '-j MARK --set-xmark 0x4000/0x4000', false);
  for (let i = 1; i <= 4; i++) {
    const svc = `KUBE-SVC-${b.pick(BASE32, 16)}`;
    const sep = `KUBE-SEP-${b.pick(BASE32, 16)}`;
    b.add('nat', 'KUBE-SERVICES', `-d ${ip(i)}/${v6(b) ? 128 : 32} -p tcp -m comment --comment "default/svc-${i}:http cluster IP" -m tcp --dport 80 -j ${svc}`, false);
    b.add('nat', svc, `-m comment --comment "default/svc-${i}:http -> ${ep(i)}" -j ${sep}`, false);
    b.add('nat', sep, `-p tcp -m comment --comment "default/svc-${i}:http" -m tcp -j DNAT --to-destination ${ep(i)}`, false);
  }
  b.add('nat', 'DOCKER', '-i docker0 -j RETURN', false);
  b.add('filter', 'INPUT', '-m comment --comment "kubernetes health check service ports" -j KUBE-NODEPORTS', false);
  b.add('filter', 'INPUT', '-m comment --comment "cilium-feeder: CILIUM_INPUT" -j CILIUM_INPUT', false);
  b.add('filter', 'INPUT', `-p tcp -m set --match-set ${USER_IPSETS[b.family]} src -m tcp --dport 22 -j ACCEPT`, false);
  b.add('filter', 'INPUT', '-i cali+ -p udp -m udp --dport 67 -j calico-dhcp-ingress', false);
  b.add('filter', 'INPUT', '-p tcp -m tcp --dport 9099 -m comment --comment "calico legacy note" -j ACCEPT', false);
  b.add('filter', 'calico-dhcp-ingress', '-p udp -m udp --sport 68 -j ACCEPT', false);
  b.add('filter', 'CILIUM_INPUT', '-m mark --mark 0x200/0xf00 -m comment --comment "cilium: ACCEPT for proxy traffic" -j ACCEPT', false);
  b.add('filter', 'KUBE-NODEPORTS', '-p tcp -m comment --comment "default/svc-1:health health check node port" -m tcp --dport 30001 -j ACCEPT', false);
  b.chain('filter', 'KUBE-KUBELET-CANARY');
  b.add('filter', 'FORWARD', '-m comment --comment "kubernetes forwarding rules" -j KUBE-FORWARD', false);
  b.add('filter', 'FORWARD', '-m comment --comment "cilium-feeder: CILIUM_FORWARD" -j CILIUM_FORWARD', false);
  b.add('filter', 'FORWARD', '-j DOCKER-USER', false);
  b.add('filter', 'FORWARD', '-j DOCKER-ISOLATION-STAGE-1', false);
  b.add('filter', 'FORWARD', '-o docker0 -j DOCKER', false);
  b.add('filter', 'FORWARD', '-i cali+ -m comment --comment "allow calico pods out (user rule)" -j ACCEPT', false);
  b.add('filter', 'KUBE-FORWARD', '-m conntrack --ctstate INVALID -j DROP', false);
  b.add('filter', 'KUBE-FORWARD', '-m comment --comment "kubernetes forwarding rules" -m mark --mark 0x4000/0x4000 -j ACCEPT', false);
  b.add('filter', 'CILIUM_FORWARD', '-o cilium_host -m comment --comment "cilium: any->cluster on cilium_host forward accept" -j ACCEPT', false);
  b.add('filter', 'DOCKER-USER', '-j RETURN', false);
  b.add('filter', 'DOCKER-ISOLATION-STAGE-1', '-i docker0 ! -o docker0 -j RETURN', false);
  b.chain('filter', 'DOCKER');
  b.add('filter', 'OUTPUT', '-m comment --comment "kubernetes service portals" -j KUBE-SERVICES', false);
  b.add('filter', 'OUTPUT', '-m comment --comment "cilium-feeder: CILIUM_OUTPUT" -j CILIUM_OUTPUT', false);
  b.add('filter', 'CILIUM_OUTPUT', '-m mark --mark 0xa00/0xfffffeff -m comment --comment "cilium: ACCEPT for proxy return traffic" -j ACCEPT', false);
  b.chain('filter', 'KUBE-SERVICES');
}
