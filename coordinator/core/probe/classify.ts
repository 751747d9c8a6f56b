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

/** A node's probe pod address as the reports show it: since when, and when last heard (ms). */
export interface HeardAddress {
  ip: string;
  since: number;
  at: number;
}

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
  /** The address each node's probe pod reported last, since when (ms) it reports that address, and when it last reported. */
  currentIp: (node: string) => HeardAddress | undefined;
}

/** The probes of one report that fall in one hand-off (the report's own arrays when they all do: a hand-off in flight across the whole report). */
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

/** A report's path to one target, its ends looked up once per series rather than once per probe. */
interface Path {
  key: string;
  service: boolean;
  ip: string;
  source: NodeTimeline | undefined;
  target: NodeTimeline | undefined;
  current: HeardAddress | undefined;
}

function pairingAt(path: Path, at: number): Pairing {
  if (path.service) return 'service';
  const a = cniAt(path.source, at);
  if (a !== cniAt(path.target, at)) return 'calico-cilium';
  return a === 'calico' ? 'calico-calico' : 'cilium-cilium';
}

/** Whether a probe at `at` on this path counts (neither end in flight, the target pod not replaced). */
function counts(path: Path, at: number): boolean {
  if (inFlightAt(path.source, at)) return false;
  if (path.service) return true;
  if (inFlightAt(path.target, at)) return false;
  // Unheard since this coordinator started leading: after the node's hand-off the address may be its old pod's.
  if (path.current === undefined) return !handedOffBy(path.target, at);
  return path.current.ip === path.ip && !awaitingNewPod(path.target, path.current, at);
}

/** The node's hand-off had started by `at` (its probe pod replaced by the reboot). */
function handedOffBy(node: NodeTimeline | undefined, at: number): boolean {
  return node?.startedAt !== undefined && node.phase !== 'Pending' && at >= node.startedAt.getTime();
}

/**
 * The node was handed off before `at` (its probe pod replaced by the reboot), and its pod's address may still be
 * the old pod's: first heard before the hand-off, or first heard during it and not since it ended (the old pod may
 * have reported for the first time after the grant, before its reboot; only the new pod reports after the end).
 */
function awaitingNewPod(node: NodeTimeline | undefined, heard: HeardAddress, at: number): boolean {
  if (!handedOffBy(node, at)) return false;
  if (heard.since < (node?.startedAt?.getTime() ?? 0)) return true;
  const finished = node?.finishedAt?.getTime();
  return finished !== undefined && heard.since < finished && heard.at < finished;
}

/** The nodes that may have been in flight during the report (started, not finished before its first probe). */
function handOffCandidates(nodes: ReadonlyMap<string, NodeTimeline>, from: number): NodeTimeline[] {
  return [...nodes.values()].filter((n) => n.startedAt !== undefined && n.phase !== 'Pending' && (n.finishedAt === undefined || n.finishedAt.getTime() > from));
}

function pathOf(i: ClassifyInput, source: NodeTimeline | undefined, s: ProbeReport['series'][number]): Path {
  const key = `${i.report.nodeName}>${s.target}`;
  if (s.target === SERVICE_TARGET) return { key, service: true, ip: s.ip, source, target: undefined, current: undefined };
  return { key, service: false, ip: s.ip, source, target: i.nodes.get(s.target), current: i.currentIp(s.target) };
}

/** The first and the last probe time of a report. */
function spanOf(report: ProbeReport): { from: number; to: number } {
  let from = Infinity;
  let to = -Infinity;
  for (const s of report.series) {
    for (const [at] of s.samples) [from, to] = [Math.min(from, at), Math.max(to, at)];
    for (const at of s.broken) [from, to] = [Math.min(from, at), Math.max(to, at)];
  }
  return { from, to };
}

/**
 * Sorts a report's counted probes into the hand-offs in flight at their times. A hand-off in flight at the
 * report's first probe and at its last was in flight at every probe between: its part is the whole report
 * (the report's own arrays, shared, not copied); only the others are sorted probe by probe.
 */
class HandOffSorter {
  private readonly candidates: { n: NodeTimeline; key: string }[];
  private readonly whole = new Set<string>();
  private readonly partial: { n: NodeTimeline; key: string }[] = [];
  private readonly parts = new Map<string, HandOffPart>();

  constructor(nodes: ReadonlyMap<string, NodeTimeline>, { from, to }: { from: number; to: number }) {
    // Each candidate's key once per report, not once per sample.
    this.candidates = handOffCandidates(nodes, from).map((n) => ({ n, key: handOffKey(n) }));
    for (const c of this.candidates) {
      if (inFlightAt(c.n, from) && inFlightAt(c.n, to)) this.whole.add(c.key);
      else this.partial.push(c);
    }
  }

  /** The parts of the hand-offs in flight at `at`, of those not in flight across the whole report. */
  partsAt(at: number): HandOffPart[] {
    const hit: HandOffPart[] = [];
    for (const { n, key } of this.partial) {
      if (!inFlightAt(n, at)) continue;
      const b = this.parts.get(key) ?? { samples: [], breaks: [] };
      this.parts.set(key, b);
      hit.push(b);
    }
    return hit;
  }

  /** Each hand-off that got a counted probe, with its part. */
  byHandOff(report: HandOffPart): Map<string, HandOffPart> {
    const counted = report.samples.length + report.breaks.length > 0;
    const out = new Map<string, HandOffPart>();
    for (const { key } of this.candidates) {
      const part = this.whole.has(key) ? (counted ? report : undefined) : this.parts.get(key);
      if (part) out.set(key, part);
    }
    return out;
  }
}

export function classifyReport(i: ClassifyInput): Classified {
  const samples: ClassifiedSample[] = [];
  const breaks: ClassifiedBreak[] = [];
  let excluded = 0;
  const sorter = new HandOffSorter(i.nodes, spanOf(i.report));
  const source = i.nodes.get(i.report.nodeName);
  for (const s of i.report.series) {
    const path = pathOf(i, source, s);
    for (const [at, rttMs] of s.samples) {
      if (!counts(path, at)) {
        excluded += 1;
        continue;
      }
      const sample: ClassifiedSample = { key: path.key, pairing: pairingAt(path, at), at, rttMs };
      samples.push(sample);
      for (const b of sorter.partsAt(at)) b.samples.push(sample);
    }
    for (const at of s.broken.filter((t) => counts(path, t))) {
      const br: ClassifiedBreak = { pairing: pairingAt(path, at), at };
      breaks.push(br);
      for (const b of sorter.partsAt(at)) b.breaks.push(br);
    }
  }
  return { samples, breaks, byHandOff: sorter.byHandOff({ samples, breaks }), excluded };
}
