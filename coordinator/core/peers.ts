/**
 * Peers for a validation: pod IPs on nodes already on Cilium and on nodes still on Calico, so the check
 * proves both directions of the hand-off. CoreDNS pods first (every cluster has them), then any running
 * non-hostNetwork pod; deterministic.
 */
import type { V1Pod } from '@kubernetes/client-node';
import type { Phase } from '../../shared/phases.js';
import type { NodeState } from './node-state.js';

export const MAX_PEERS_PER_KIND = 2;

export type NodeKind = 'cilium' | 'calico';

/** Which CNI a node's pods are on, by its phase: Done is Cilium; Pending and RolledBack are Calico; others are in play. */
export function kindOfPhase(phase: Phase): NodeKind | undefined {
  if (phase === 'Done') return 'cilium';
  return phase === 'Pending' || phase === 'RolledBack' ? 'calico' : undefined;
}

/**
 * A node's kind as a validation peer: none while it holds a grant. A node granted but not cordoned yet is still
 * Pending, and its drain would take the peer away from the validation that picked it.
 */
export function peerKindOf(phase: Phase, granted: boolean): NodeKind | undefined {
  return granted ? undefined : kindOfPhase(phase);
}

/** Only a node that may start validating in this pass needs peers (a reboot may complete straight into it). */
export const needsPeers = (s: NodeState): boolean =>
  ['Rebooting', 'WaitingReady', 'RollbackRebooting', 'RollbackWaitingReady'].includes(s.phase) ||
  (s.phase === 'Halted' && s.request === 'retry');

/** The peer IPs that validations in progress are pinging. */
export const peersInUse = (states: Iterable<NodeState>): Set<string> =>
  new Set([...states].filter((s) => s.phase === 'Validating' || s.phase === 'RollbackValidating').flatMap((s) => s.peers));

export interface PeerInput {
  pods: readonly V1Pod[];
  /** Which CNI a node's pods are on; undefined for the node being validated or nodes out of play. */
  kindOf: (node: string) => NodeKind | undefined;
  /** The node being validated: its own pods are never peers. */
  self: string;
  /**
   * When a Calico node would be granted: a higher rank is granted later (Infinity: never, e.g. out of
   * scope). Calico peers come from the nodes granted last, so with concurrency k a node granted while this
   * one validates cannot drain a peer away (only k-1 others can start meanwhile).
   */
  grantRank?: (node: string) => number;
}

const isDns = (p: V1Pod): boolean => p.metadata?.labels?.['k8s-app'] === 'kube-dns';

function eligible(p: V1Pod, self: string): boolean {
  return (
    p.status?.phase === 'Running' &&
    !!p.status.podIP &&
    p.spec?.hostNetwork !== true &&
    !p.metadata?.deletionTimestamp &&
    p.spec?.nodeName !== undefined &&
    p.spec.nodeName !== self
  );
}

const sortKey = (p: V1Pod): string =>
  `${isDns(p) ? '0' : '1'}/${p.metadata?.namespace ?? ''}/${p.metadata?.name ?? ''}`;

const rank = (a: V1Pod, b: V1Pod): number => (sortKey(a) < sortKey(b) ? -1 : sortKey(a) > sortKey(b) ? 1 : 0);

function pick(pods: V1Pod[]): string[] {
  const seenNodes = new Set<string>();
  const out: string[] = [];
  for (const p of pods) {
    const node = p.spec?.nodeName ?? '';
    if (out.length >= MAX_PEERS_PER_KIND || seenNodes.has(node)) continue;
    seenNodes.add(node);
    out.push(p.status?.podIP ?? '');
  }
  return out;
}

export function choosePeers(input: PeerInput): string[] {
  const candidates = input.pods.filter((p) => eligible(p, input.self)).sort(rank);
  const onKind = (k: NodeKind) => candidates.filter((p) => input.kindOf(p.spec?.nodeName ?? '') === k);
  const grantRank = input.grantRank ?? (() => 0);
  const latestGrantedFirst = (a: V1Pod, b: V1Pod): number =>
    grantRank(b.spec?.nodeName ?? '') - grantRank(a.spec?.nodeName ?? '') || rank(a, b);
  return [...pick(onKind('cilium')), ...pick(onKind('calico').sort(latestGrantedFirst))];
}

/** The nodes hosting a peer that an in-flight validation is pinging (by pod IP). */
export function nodesHostingPeers(peerIps: ReadonlySet<string>, pods: readonly V1Pod[]): Set<string> {
  const hosts = new Set<string>();
  for (const p of pods) {
    const ip = p.status?.podIP;
    if (ip && peerIps.has(ip) && p.spec?.nodeName) hosts.add(p.spec.nodeName);
  }
  return hosts;
}
