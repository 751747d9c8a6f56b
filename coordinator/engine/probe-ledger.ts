/**
 * The leader's ledger of the zero-downtime probe: every probe pod's reports, sorted into pairings by the
 * pure core, folded into the figures overall and per hand-off. It answers each report with the peers to
 * probe (the pod's place on the core's peer ring: a bounded set of the nodes that reported, those heard
 * lately) and the pace (`core/probe/pace.ts`: longer intervals as more pods report), feeds the metrics (the counters with each
 * report, the gap and round-trip gauges with each status), and tells the
 * controller when a hand-off first crosses a `spec.probe` threshold (the controller then halts that node).
 *
 * The figures live in this process: a new leader starts them afresh (the Migration's status keeps the last
 * ones written). The reports themselves are kept by the probe pods until a leader has taken them.
 */
import type { ProbeAnswer, ProbeReport } from '../../shared/probe.js';
import { paceFor } from '../core/probe/pace.js';
import { classifyReport, handOffKey, type HandOffPart, type NodeTimeline } from '../core/probe/classify.js';
import { emptyAccumulator, figuresOf, foldBatch, sampleBatch, zeroDowntime, type ProbeAccumulator, type ClassifiedSample, type ProbeFigures, type SampleBatch } from '../core/probe/figures.js';
import { probeBreach, type ProbeLimits, type ProbeStatus } from '../core/probe/limits.js';
import { PeerRing } from '../core/probe/peer-ring.js';
import type { ProbeMetrics } from './probe-metrics.js';

export interface ProbeLedgerDeps {
  nodes: () => ReadonlyMap<string, NodeTimeline>;
  limits: () => ProbeLimits | undefined;
  now: () => Date;
  metrics: ProbeMetrics;
  /** A hand-off crossed a threshold: pass again. */
  breached: () => void;
}

/** A probe pod that has not reported for this long (or three of its report periods, if longer) is no longer offered as a peer. */
export const PEER_FRESH_MS = 10_000;
/** Hand-offs kept (and shown in the status, the newest last). */
const HAND_OFFS_KEPT = 50;
const HAND_OFFS_SHOWN = 10;

interface HandOff {
  node: string;
  attempt: number;
  acc: ProbeAccumulator;
  breach: string | undefined;
}

export class ProbeLedger {
  private readonly total = emptyAccumulator();
  private readonly handOffs = new Map<string, HandOff>();
  /** Each node's probe pod: its address, since when it reports it, and its last report. */
  private readonly pods = new Map<string, { ip: string; since: number; at: number }>();
  /** Every node whose probe pod ever reported, on the ring that picks each pod's peers. */
  private readonly ring = new PeerRing();
  private excluded = 0;

  constructor(private readonly d: ProbeLedgerDeps) {}

  record(report: ProbeReport): ProbeAnswer {
    const now = this.d.now().getTime();
    const before = this.pods.get(report.nodeName);
    this.pods.set(report.nodeName, { ip: report.podIP, since: before?.ip === report.podIP ? before.since : now, at: now });
    if (!before) this.ring.add(report.nodeName);
    const nodes = this.d.nodes();
    const c = classifyReport({ report, nodes, currentIp: (n) => this.pods.get(n) });
    // The hand-offs in flight across the whole report share the report's own samples: one batch for them all.
    const batches = new Map<readonly ClassifiedSample[], SampleBatch>();
    const batchOf = (part: HandOffPart): SampleBatch => {
      const known = batches.get(part.samples);
      if (known) return known;
      const batch = sampleBatch(part.samples, part.breaks);
      batches.set(part.samples, batch);
      return batch;
    };
    const all = batchOf(c);
    const pace = paceFor(this.pods.size);
    foldBatch(this.total, all, pace.probeIntervalMs);
    this.excluded += c.excluded;
    this.d.metrics.counted(all, c.excluded);
    const limits = this.d.limits();
    for (const [key, part] of c.byHandOff) {
      const h = this.handOff(key, nodes);
      if (!h) continue;
      foldBatch(h.acc, batchOf(part), pace.probeIntervalMs);
      if (h.breach === undefined && limits) this.judge(h, limits);
    }
    return { peers: this.peers(report.nodeName, now, Math.max(PEER_FRESH_MS, 3 * pace.minReportPeriodMs)), ...pace };
  }

  private judge(h: HandOff, limits: ProbeLimits): void {
    h.breach = probeBreach(figuresOf(h.acc, { latency: false }), limits);
    if (h.breach !== undefined) this.d.breached();
  }

  private handOff(key: string, nodes: ReadonlyMap<string, NodeTimeline>): HandOff | undefined {
    const existing = this.handOffs.get(key);
    if (existing) return existing;
    const node = [...nodes.values()].find((n) => handOffKey(n) === key);
    if (!node) return undefined;
    const h: HandOff = { node: node.name, attempt: node.attempt, acc: emptyAccumulator(), breach: undefined };
    this.handOffs.set(key, h);
    if (this.handOffs.size > HAND_OFFS_KEPT) this.handOffs.delete(this.handOffs.keys().next().value ?? '');
    return h;
  }

  /** The pod's peers on the ring that reported lately (O(PEERS_PER_POD), whatever the cluster's size). */
  private peers(self: string, now: number, freshMs: number): ProbeAnswer['peers'] {
    const out: ProbeAnswer['peers'] = [];
    for (const node of this.ring.peersOf(self)) {
      const p = this.pods.get(node);
      if (node !== self && p && now - p.at <= freshMs) out.push({ node, ip: p.ip });
    }
    return out;
  }

  /** The threshold this attempt of the node's hand-off crossed, if any. */
  breachOf(node: string, attempt: number): string | undefined {
    return this.handOffs.get(handOffKey({ name: node, attempt }))?.breach;
  }

  /** Undefined before the first report. */
  status(): ProbeStatus | undefined {
    if (this.pods.size === 0) return undefined;
    const figures: ProbeFigures = figuresOf(this.total);
    this.d.metrics.figures(figures);
    const handOffs = [...this.handOffs.values()].slice(-HAND_OFFS_SHOWN).map((h) => ({ node: h.node, attempt: h.attempt, figures: figuresOf(h.acc) }));
    return { figures, handOffs, excluded: this.excluded, zeroDowntime: zeroDowntime(figures) };
  }
}
