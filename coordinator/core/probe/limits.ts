/**
 * The probe in the Migration: `spec.probe` (the thresholds that halt the rollout) and `status.probe` (the
 * figures per pairing, overall and per hand-off, and whether the migration has been zero-downtime so far).
 * A threshold is judged on the figures of one hand-off (a node's attempt), each pairing on its own, once
 * that pairing has `minSamples` probes.
 */
import { z } from 'zod';
import { PAIRINGS } from '../../../shared/probe.js';
import type { PairingFigures, ProbeFigures } from './figures.js';

export const ProbeLimitsSchema = z
  .object({
    /** Halt when a pairing loses more than this share of its probes during a hand-off. */
    maxLossPercent: z.number().min(0).max(100).optional(),
    /** Halt when one path goes unanswered longer than this during a hand-off. */
    maxGapMs: z.number().int().positive().max(3_600_000).optional(),
    /** Halt when more held TCP connections than this break during a hand-off. */
    maxBrokenConnections: z.number().int().min(0).optional(),
    /** A pairing is judged once it has this many probes in the hand-off. */
    minSamples: z.number().int().positive().max(1_000_000).default(20),
  })
  .prefault({});
export type ProbeLimits = z.infer<typeof ProbeLimitsSchema>;

export const PairingFiguresSchema = z.object({
  samples: z.number().int().nonnegative(),
  lost: z.number().int().nonnegative(),
  lossPercent: z.number().nonnegative(),
  longestGapMs: z.number().nonnegative(),
  // A merge patch drops nulls: absent reads as null (no probe answered).
  p50Ms: z.number().nonnegative().nullable().default(null),
  p99Ms: z.number().nonnegative().nullable().default(null),
  broken: z.number().int().nonnegative(),
});

export const ProbeFiguresSchema = z.partialRecord(z.enum(PAIRINGS), PairingFiguresSchema);

export const ProbeStatusSchema = z.object({
  /** Every counted probe since this coordinator started leading. */
  figures: ProbeFiguresSchema,
  /** The latest hand-offs (a node's attempt), newest last. */
  handOffs: z.array(z.object({ node: z.string(), attempt: z.number().int().nonnegative(), figures: ProbeFiguresSchema })),
  /** Probes left out: an end in flight (drained, rebooting on purpose) or a replaced target pod. */
  excluded: z.number().int().nonnegative(),
  /** No counted probe lost and no connection broken; null before the first probe. */
  zeroDowntime: z.boolean().nullable().default(null),
});
export type ProbeStatus = z.infer<typeof ProbeStatusSchema>;

type Rule = (pairing: string, f: PairingFigures, l: ProbeLimits) => string | undefined;

const RULES: Rule[] = [
  (p, f, l) =>
    l.maxLossPercent !== undefined && f.lossPercent > l.maxLossPercent
      ? `${p} lost ${f.lossPercent}% of ${f.samples} probes (spec.probe.maxLossPercent ${l.maxLossPercent})`
      : undefined,
  (p, f, l) =>
    l.maxGapMs !== undefined && f.longestGapMs > l.maxGapMs
      ? `${p} went unanswered for ${f.longestGapMs} ms (spec.probe.maxGapMs ${l.maxGapMs})`
      : undefined,
  (p, f, l) =>
    l.maxBrokenConnections !== undefined && f.broken > l.maxBrokenConnections
      ? `${p} broke ${f.broken} held connections (spec.probe.maxBrokenConnections ${l.maxBrokenConnections})`
      : undefined,
];

/** The first threshold a hand-off's figures cross, as a halt reason; undefined when none is crossed. */
export function probeBreach(figures: ProbeFigures, limits: ProbeLimits): string | undefined {
  for (const pairing of PAIRINGS) {
    const f = figures[pairing];
    if (!f || f.samples < limits.minSamples) continue;
    for (const rule of RULES) {
      const why = rule(pairing, f, limits);
      if (why) return `probe: ${why}`;
    }
  }
  return undefined;
}
