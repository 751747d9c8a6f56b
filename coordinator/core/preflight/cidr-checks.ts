/**
 * The address space: the pod CIDRs the validation expects (forward: Cilium's pool; rollback: Calico's pool),
 * read from the cluster, optionally pinned by `spec.validation`, and every overlap that would misroute traffic.
 */
import type { ClusterFacts } from '../facts/model.js';
import { cidrContains, cidrsOverlap, parseCidr, type Cidr } from '../facts/cidr.js';
import { blocker, nameList, type Finding } from './findings.js';

export interface ValidationCidrs {
  /** A migrated node's check pod must get an address here (Cilium's pool). */
  forward: string;
  /** A rolled-back node's check pod must get an address here (Calico's pool). */
  rollback: string;
}

export interface CidrOverrides {
  ciliumCidr?: string | undefined;
  calicoCidr?: string | undefined;
}

interface Named {
  what: string;
  cidr: Cidr;
}

const ipv4 = (texts: readonly string[]): Cidr[] => texts.map(parseCidr).filter((c) => c !== undefined);

function ciliumPools(f: ClusterFacts): Cidr[] {
  return ipv4(f.cilium.config?.clusterPoolIPv4Cidrs ?? []);
}

/** Calico pools new pods can get addresses from. */
function calicoEnabledPools(f: ClusterFacts): Cidr[] {
  return ipv4(f.calico.ipPools.filter((p) => !p.disabled).map((p) => p.cidr));
}

type Choice = { cidr: string } | { finding: Finding };

function choose(kind: 'Cilium' | 'Calico', pools: Cidr[], override: string | undefined, field: string): Choice {
  const listed = pools.map((p) => p.text).join(', ');
  if (override !== undefined) {
    const o = parseCidr(override);
    if (o && pools.some((p) => cidrContains(p, o))) return { cidr: override };
    return { finding: blocker('validation-cidr', `spec.validation.${field} ${override} is not within ${kind}'s pool${pools.length === 1 ? '' : 's'} (${listed || 'none found'})`, `remove spec.validation.${field} (it is read from the cluster) or set it inside ${listed || `${kind}'s pool`}`) };
  }
  const [only, ...more] = pools;
  if (only && more.length === 0) return { cidr: only.text };
  if (!only) return { finding: blocker('validation-cidr', `no IPv4 pod pool of ${kind} was found, so a validation could not check pod addresses`, `set spec.validation.${field}`) };
  return { finding: blocker('validation-cidr', `${kind} has several pod pools (${listed}); the validation cannot tell which one a node's pods use`, `set spec.validation.${field} to the pool the nodes use`) };
}

/** The validation's CIDRs, or the blockers that stop the rollout when they cannot be read or contradict the cluster. */
export function validationCidrs(f: ClusterFacts, o: CidrOverrides = {}): { cidrs: ValidationCidrs | undefined; findings: Finding[] } {
  if (!f.cilium.config) return { cidrs: undefined, findings: [] };
  const forward = choose('Cilium', ciliumPools(f), o.ciliumCidr, 'ciliumCidr');
  const rollback = choose('Calico', calicoEnabledPools(f), o.calicoCidr, 'calicoCidr');
  const findings = [forward, rollback].flatMap((c) => ('finding' in c ? [c.finding] : []));
  if ('cidr' in forward && 'cidr' in rollback) return { cidrs: { forward: forward.cidr, rollback: rollback.cidr }, findings };
  return { cidrs: undefined, findings };
}

function pairs(a: readonly Named[], b: readonly Named[]): string[] {
  return a.flatMap((x) => b.filter((y) => cidrsOverlap(x.cidr, y.cidr)).map((y) => `${x.what} ${x.cidr.text} overlaps ${y.what} ${y.cidr.text}`));
}

/** Pod pools must not overlap each other, the Service CIDR, or any node address. */
export function overlapChecks(f: ClusterFacts): Finding[] {
  const cilium = ciliumPools(f).map((cidr) => ({ what: "Cilium's pool", cidr }));
  const calico = f.calico.ipPools.flatMap((p) => ipv4([p.cidr]).map((cidr) => ({ what: `Calico's IPPool ${p.name}`, cidr })));
  const services = ipv4(f.network.serviceCidrs).map((cidr) => ({ what: 'the Service CIDR', cidr }));
  const nodes = f.network.nodes.flatMap((n) => ipv4(n.internalIPs).map((cidr) => ({ what: `node ${n.name}'s address`, cidr })));
  const out: Finding[] = [];
  const podPools = pairs(cilium, calico);
  if (podPools.length > 0) out.push(blocker('cidr-overlap', `pod pools overlap: ${nameList(podPools, 3)}`, `give Cilium a pool that overlaps nothing: ${'cni-migrate values --stage migration'} picks one`));
  const withServices = pairs([...cilium, ...calico], services);
  if (withServices.length > 0) out.push(blocker('cidr-overlap', `pod pools overlap Services: ${nameList(withServices, 3)}`, 'move the pod pool out of the Service CIDR'));
  const withNodes = pairs(nodes, [...cilium, ...calico]);
  if (withNodes.length > 0) out.push(blocker('cidr-overlap', `node addresses fall inside pod pools: ${nameList(withNodes, 3)}`, 'move the pod pool out of the node network'));
  return out;
}
