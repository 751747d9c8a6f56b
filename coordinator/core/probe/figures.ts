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
  runs: Record<string, LostRun>;
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

export const emptyAccumulator = (): ProbeAccumulator => ({ pairings: {}, runs: {} });

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
  const run = acc.runs[s.key];
  const continues = run !== undefined && s.at >= run.last && s.at - run.last <= intervalMs * RUN_SLACK_INTERVALS;
  const next = continues ? { first: run.first, last: s.at } : { first: s.at, last: s.at };
  acc.runs[s.key] = next;
  p.longestGapMs = Math.max(p.longestGapMs, next.last - next.first + intervalMs);
}

function foldAnswered(acc: ProbeAccumulator, p: PairingAccumulator, s: ClassifiedSample, rtt: number): void {
  delete acc.runs[s.key];
  p.rtts.push(rtt);
  if (p.rtts.length > RTTS_KEPT) p.rtts = p.rtts.filter((_, i) => i % 2 === 0);
}

/** Folds samples (in the order each path sent them) and broken connections into `acc` (changed in place). */
export function foldSamples(
  acc: ProbeAccumulator,
  samples: readonly ClassifiedSample[],
  breaks: readonly ClassifiedBreak[],
  intervalMs: number,
): ProbeAccumulator {
  for (const s of samples) {
    const p = pairingOf(acc, s.pairing);
    p.samples += 1;
    if (s.rttMs === null) foldLost(acc, p, s, intervalMs);
    else foldAnswered(acc, p, s, s.rttMs);
  }
  for (const b of breaks) pairingOf(acc, b.pairing).broken += 1;
  return acc;
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
