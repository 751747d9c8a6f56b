/**
 * The probe's figures, pure: probe samples (already sorted into a pairing) folded into per-pairing
 * accumulators, and the figures an operator reads from them: loss, the longest gap, p50/p99 round trip
 * and broken TCP connections.
 */
import type { Pairing } from '../../../shared/probe.js';

/** One probe, sorted into its pairing. `key` names its path (source node → target) so gaps run per path. */
export interface ClassifiedSample {
  key: string;
  pairing: Pairing;
  at: number;
  /** Round trip in ms; null when no answer came. */
  rttMs: number | null;
}

/** A held TCP connection that broke. */
export interface ClassifiedBreak {
  pairing: Pairing;
  at: number;
}

interface PairingAccumulator {
  samples: number;
  lost: number;
  broken: number;
  longestGapMs: number;
  /** Round trips kept for the percentiles (thinned to every other one when full). */
  rtts: number[];
}

/** Unanswered probes in a row on one path: the first and the last. */
interface LostRun {
  first: number;
  last: number;
}

export interface ProbeAccumulator {
  pairings: Partial<Record<Pairing, PairingAccumulator>>;
  /** The open run of lost probes per path (none once the path is answered again). */
  runs: Map<string, LostRun>;
}

export interface PairingFigures {
  samples: number;
  lost: number;
  lossPercent: number;
  /** The longest time one path went unanswered (ms), counting each lost probe as one interval. */
  longestGapMs: number;
  p50Ms: number | null;
  p99Ms: number | null;
  broken: number;
}

export type ProbeFigures = Partial<Record<Pairing, PairingFigures>>;

/** Round trips kept per pairing; beyond it every other one is dropped (the percentiles stay representative). */
export const RTTS_KEPT = 4096;

export const emptyAccumulator = (): ProbeAccumulator => ({ pairings: {}, runs: new Map() });

function pairingOf(acc: ProbeAccumulator, pairing: Pairing): PairingAccumulator {
  const existing = acc.pairings[pairing];
  if (existing) return existing;
  const fresh: PairingAccumulator = { samples: 0, lost: 0, broken: 0, longestGapMs: 0, rtts: [] };
  acc.pairings[pairing] = fresh;
  return fresh;
}

/** A lost probe continues the path's run when it comes within this many intervals of the last one. */
const RUN_SLACK_INTERVALS = 2.5;

function foldLost(acc: ProbeAccumulator, p: PairingAccumulator, s: ClassifiedSample, intervalMs: number): void {
  p.lost += 1;
  const run = acc.runs.get(s.key);
  const continues = run !== undefined && s.at >= run.last && s.at - run.last <= intervalMs * RUN_SLACK_INTERVALS;
  const next = continues ? { first: run.first, last: s.at } : { first: s.at, last: s.at };
  acc.runs.set(s.key, next);
  p.longestGapMs = Math.max(p.longestGapMs, next.last - next.first + intervalMs);
}

function foldAnswered(acc: ProbeAccumulator, p: PairingAccumulator, s: ClassifiedSample, rtt: number): void {
  acc.runs.delete(s.key);
  pushRtt(p, rtt);
}

/** What one report's samples add to a pairing, worked out once however many accumulators take them. */
interface PairingBatch {
  samples: number;
  lost: number;
  /** The answered samples' round trips, in order. */
  rtts: number[];
  broken: number;
}

/**
 * A report's counted samples and broken connections, summed per pairing once: the same batch goes into the
 * total and into every hand-off in flight across the report, and without a lost probe folding it is a count
 * and the round trips, not a walk over every sample per accumulator.
 */
export interface SampleBatch {
  samples: readonly ClassifiedSample[];
  breaks: readonly ClassifiedBreak[];
  pairings: Map<Pairing, PairingBatch>;
  /** The paths the samples were sent on. */
  keys: Set<string>;
  lost: number;
}

function pairingBatch(pairings: Map<Pairing, PairingBatch>, pairing: Pairing): PairingBatch {
  const existing = pairings.get(pairing);
  if (existing) return existing;
  const fresh: PairingBatch = { samples: 0, lost: 0, rtts: [], broken: 0 };
  pairings.set(pairing, fresh);
  return fresh;
}

export function sampleBatch(samples: readonly ClassifiedSample[], breaks: readonly ClassifiedBreak[]): SampleBatch {
  const batch: SampleBatch = { samples, breaks, pairings: new Map(), keys: new Set(), lost: 0 };
  for (const s of samples) {
    const p = pairingBatch(batch.pairings, s.pairing);
    p.samples += 1;
    batch.keys.add(s.key);
    if (s.rttMs === null) {
      p.lost += 1;
      batch.lost += 1;
    } else p.rtts.push(s.rttMs);
  }
  for (const b of breaks) pairingBatch(batch.pairings, b.pairing).broken += 1;
  return batch;
}

function pushRtt(p: PairingAccumulator, rtt: number): void {
  p.rtts.push(rtt);
  if (p.rtts.length > RTTS_KEPT) p.rtts = p.rtts.filter((_, i) => i % 2 === 0);
}

/** Folds a batch into `acc` (changed in place): as folding its samples one by one, in the order each path sent them. */
export function foldBatch(acc: ProbeAccumulator, batch: SampleBatch, intervalMs: number): ProbeAccumulator {
  if (batch.lost > 0) {
    // A lost probe starts or continues its path's run: the order of the samples matters, one at a time.
    for (const s of batch.samples) {
      const p = pairingOf(acc, s.pairing);
      p.samples += 1;
      if (s.rttMs === null) foldLost(acc, p, s, intervalMs);
      else foldAnswered(acc, p, s, s.rttMs);
    }
    for (const b of batch.breaks) pairingOf(acc, b.pairing).broken += 1;
    return acc;
  }
  // Every probe answered: each path's open run (if any) ends, and the pairings only count and keep round trips.
  for (const key of acc.runs.keys()) if (batch.keys.has(key)) acc.runs.delete(key);
  for (const [pairing, b] of batch.pairings) {
    const p = pairingOf(acc, pairing);
    p.samples += b.samples;
    p.broken += b.broken;
    for (const rtt of b.rtts) pushRtt(p, rtt);
  }
  return acc;
}

/** Folds samples (in the order each path sent them) and broken connections into `acc` (changed in place). */
export function foldSamples(
  acc: ProbeAccumulator,
  samples: readonly ClassifiedSample[],
  breaks: readonly ClassifiedBreak[],
  intervalMs: number,
): ProbeAccumulator {
  return foldBatch(acc, sampleBatch(samples, breaks), intervalMs);
}

/** Nearest-rank percentile of values sorted ascending (null for none). */
function rankOf(sorted: readonly number[], p: number): number | null {
  return sorted[Math.max(1, Math.ceil((p / 100) * sorted.length)) - 1] ?? null;
}

/** Nearest-rank percentile (null for none). */
export function percentileOf(values: readonly number[], p: number): number | null {
  return rankOf([...values].sort((a, b) => a - b), p);
}

const round1 = (n: number): number => Math.round(n * 10) / 10;

/**
 * The figures of each pairing. Without `latency` the round trips are not sorted (p50/p99 stay null): the
 * thresholds judge counts and gaps only, and a judgement per report must not cost a sort of every kept round trip.
 */
export function figuresOf(acc: ProbeAccumulator, { latency = true }: { latency?: boolean } = {}): ProbeFigures {
  const out: ProbeFigures = {};
  for (const [pairing, p] of Object.entries(acc.pairings) as [Pairing, PairingAccumulator][]) {
    const sorted = latency ? [...p.rtts].sort((a, b) => a - b) : [];
    const [p50, p99] = [rankOf(sorted, 50), rankOf(sorted, 99)];
    out[pairing] = {
      samples: p.samples,
      lost: p.lost,
      lossPercent: p.samples === 0 ? 0 : round1((p.lost / p.samples) * 100),
      longestGapMs: p.longestGapMs,
      p50Ms: p50 === null ? null : round1(p50),
      p99Ms: p99 === null ? null : round1(p99),
      broken: p.broken,
    };
  }
  return out;
}

/** No probe lost and no connection broken, over at least one probe. */
export function zeroDowntime(figures: ProbeFigures): boolean | null {
  const all = Object.values(figures);
  if (all.reduce((n, f) => n + f.samples, 0) === 0) return null;
  return all.every((f) => f.lost === 0 && f.broken === 0);
}
