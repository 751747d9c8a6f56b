/**
 * Which pairing each probe belongs to, and which probes say nothing about downtime, pure.
 *
 * A node in flight (from its grant until it is Done or rolled back) was drained: it carries no workload,
 * and its own probe pod is cut by its reboot on purpose. So a probe from or to a node in flight at the
 * probe's time is left out; what counts is the traffic between the nodes that serve. A probe to an address
 * other than the one the target node's probe pod reported last (the pod was replaced), or to a node back from
 * its hand-off whose new probe pod has not reported yet (to this coordinator: one that started leading after the
 * hand-off has not heard the new pod either), measures the old pod, not the network: left out too. An end's CNI at the probe's time follows its record: Cilium once the node was Done.
 * Each counted probe also belongs to the hand-off(s) in progress at its time.
 */
import type { Phase } from '../../../shared/phases.js';
import { SERVICE_TARGET, type Pairing, type ProbeReport } from '../../../shared/probe.js';
import type { ClassifiedBreak, ClassifiedSample } from './figures.js';

/** What the classification needs of a node's recorded state. */
export interface NodeTimeline {
  name: string;
  phase: Phase;
  attempt: number;
  startedAt: Date | undefined;
  finishedAt: Date | undefined;
}

/** A node's hand-off: one attempt of its migration. */
export const handOffKey = (n: Pick<NodeTimeline, 'name' | 'attempt'>): string => `${n.name}#${n.attempt}`;

export function inFlightAt(n: NodeTimeline | undefined, at: number): boolean {
  if (!n?.startedAt || n.phase === 'Pending') return false;
  return at >= n.startedAt.getTime() && (n.finishedAt === undefined || at < n.finishedAt.getTime());
}

export const cniAt = (n: NodeTimeline | undefined, at: number): 'calico' | 'cilium' =>
  n?.phase === 'Done' && n.finishedAt !== undefined && at >= n.finishedAt.getTime() ? 'cilium' : 'calico';

export interface ClassifyInput {
  report: ProbeReport;
  nodes: ReadonlyMap<string, NodeTimeline>;
  /** The address each node's probe pod reported last, and since when (ms) it reports that address. */
  currentIp: (node: string) => { ip: string; since: number } | undefined;
}

/** The probes of one report that fall in one hand-off. */
export interface HandOffPart {
  samples: ClassifiedSample[];
  breaks: ClassifiedBreak[];
}

export interface Classified {
  samples: ClassifiedSample[];
  breaks: ClassifiedBreak[];
  /** The same, per hand-off in progress at the probe's time. */
  byHandOff: Map<string, HandOffPart>;
  /** Probes left out (an end in flight, or a replaced target pod). */
  excluded: number;
}

function pairingAt(i: ClassifyInput, target: string, at: number): Pairing {
  if (target === SERVICE_TARGET) return 'service';
  const ends = [cniAt(i.nodes.get(i.report.nodeName), at), cniAt(i.nodes.get(target), at)].sort();
  return `${ends[0] ?? 'calico'}-${ends[1] ?? 'calico'}` as Pairing;
}

/** Whether a probe at `at` on this path counts (neither end in flight, the target pod not replaced). */
function counts(i: ClassifyInput, target: string, ip: string, at: number): boolean {
  if (inFlightAt(i.nodes.get(i.report.nodeName), at)) return false;
  if (target === SERVICE_TARGET) return true;
  const node = i.nodes.get(target);
  if (inFlightAt(node, at)) return false;
  const current = i.currentIp(target);
  // Unheard since this coordinator started leading: after the node's hand-off the address may be its old pod's.
  if (current === undefined) return !handedOffBy(node, at);
  return current.ip === ip && !awaitingNewPod(node, current.since, at);
}

/** The node's hand-off had started by `at` (its probe pod replaced by the reboot). */
function handedOffBy(node: NodeTimeline | undefined, at: number): boolean {
  return node?.startedAt !== undefined && node.phase !== 'Pending' && at >= node.startedAt.getTime();
}

/** The node was handed off before `at` (its probe pod replaced by the reboot), and its pod's address is older than that. */
function awaitingNewPod(node: NodeTimeline | undefined, since: number, at: number): boolean {
  const started = node?.startedAt && node.phase !== 'Pending' ? node.startedAt.getTime() : undefined;
  return started !== undefined && at >= started && since < started;
}

/** The nodes that may have been in flight during the report (started, not finished before its first probe). */
function handOffCandidates(nodes: ReadonlyMap<string, NodeTimeline>, from: number): NodeTimeline[] {
  return [...nodes.values()].filter((n) => n.startedAt !== undefined && n.phase !== 'Pending' && (n.finishedAt === undefined || n.finishedAt.getTime() > from));
}

export function classifyReport(i: ClassifyInput): Classified {
  const out: Classified = { samples: [], breaks: [], byHandOff: new Map(), excluded: 0 };
  const from = Math.min(...i.report.series.flatMap((s) => [...s.samples.map((x) => x[0]), ...s.broken]));
  // Each candidate's key once per report, not once per sample.
  const candidates = handOffCandidates(i.nodes, from).map((n) => ({ n, key: handOffKey(n) }));
  const bucket = (at: number): HandOffPart[] => {
    const hit: HandOffPart[] = [];
    for (const { n, key } of candidates) {
      if (!inFlightAt(n, at)) continue;
      const b = out.byHandOff.get(key) ?? { samples: [], breaks: [] };
      out.byHandOff.set(key, b);
      hit.push(b);
    }
    return hit;
  };
  for (const s of i.report.series) {
    const key = `${i.report.nodeName}>${s.target}`;
    for (const [at, rttMs] of s.samples) {
      if (!counts(i, s.target, s.ip, at)) {
        out.excluded += 1;
        continue;
      }
      const sample: ClassifiedSample = { key, pairing: pairingAt(i, s.target, at), at, rttMs };
      out.samples.push(sample);
      for (const b of bucket(at)) b.samples.push(sample);
    }
    for (const at of s.broken.filter((t) => counts(i, s.target, s.ip, t))) {
      const br: ClassifiedBreak = { pairing: pairingAt(i, s.target, at), at };
      out.breaks.push(br);
      for (const b of bucket(at)) b.breaks.push(br);
    }
  }
  return out;
}
