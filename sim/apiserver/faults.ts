/**
 * Fault injection, per rule: return a 5xx, answer writes with 409, add latency, drop (close) watches, or
 * apply a write and lose its answer (the connection is cut after the change is stored, as a timeout would);
 * optionally filtered by caller, verb, resource; applied at a rate drawn from a seeded generator so a
 * scenario is deterministic given its seed.
 */
import { z } from 'zod';
import { KubeStatusError, failure } from './status.js';
import { seededRandom } from '../seeded-random.js';

const matchSchema = z
  .object({ caller: z.string().optional(), verb: z.string().optional(), resource: z.string().optional(), subresource: z.string().optional() })
  .strict();

export const faultRuleSchema = z
  .object({
    match: matchSchema.optional(),
    /** Fraction of matching requests affected, 0..1 (default 1). */
    rate: z.number().min(0).max(1).default(1),
    /** Stop after this many injections. */
    times: z.number().int().positive().optional(),
    error: z.number().int().min(500).max(599).optional(),
    conflict: z.boolean().optional(),
    latencyMs: z.number().int().nonnegative().optional(),
    dropWatch: z.boolean().optional(),
    /** Writes only: apply the change, then cut the connection instead of answering. */
    loseResponse: z.boolean().optional(),
  })
  .strict();

export type FaultRule = z.input<typeof faultRuleSchema>;
type ParsedRule = z.output<typeof faultRuleSchema> & { id: string; used: number };

export interface FaultTarget {
  verb: string;
  resource: string;
  subresource: string | undefined;
  caller: string;
}

export interface FaultDecision {
  latencyMs: number;
  error?: KubeStatusError;
  dropWatch: boolean;
  /** The write is applied and its answer never sent. */
  loseResponse: boolean;
}

export interface FaultControls {
  /** Add a rule (validated; throws on bad input); returns its id. */
  add(rule: FaultRule): string;
  remove(id: string): void;
  clear(): void;
  /** Reseed the generator that decides which requests a `rate` < 1 rule hits. */
  seed(seed: number): void;
  /** How many times the rules fired so far. */
  injected(): number;
  /** Close every open watch now (optionally only one caller's or one resource's); returns how many. */
  dropWatches(filter?: { caller?: string; resource?: string }): number;
}

const WRITE_VERBS = new Set(['create', 'update', 'patch', 'delete', 'deletecollection']);

function matches(rule: ParsedRule, t: FaultTarget): boolean {
  const m = rule.match ?? {};
  if (m.caller !== undefined && m.caller !== t.caller) return false;
  if (m.verb !== undefined && m.verb !== t.verb) return false;
  if (m.resource !== undefined && m.resource !== t.resource) return false;
  return m.subresource === undefined || m.subresource === t.subresource;
}

export class FaultInjector {
  private rules: ParsedRule[] = [];
  private random = seededRandom(1);
  private nextId = 1;

  add(rule: FaultRule): string {
    const parsed = faultRuleSchema.parse(rule);
    const id = `fault-${this.nextId++}`;
    this.rules.push({ ...parsed, id, used: 0 });
    return id;
  }

  remove(id: string): void {
    this.rules = this.rules.filter((r) => r.id !== id);
  }

  clear(): void {
    this.rules = [];
  }

  seed(seed: number): void {
    this.random = seededRandom(seed);
  }

  injected(): number {
    return this.rules.reduce((n, r) => n + r.used, 0);
  }

  /** What to do to this request: the first applicable rule wins for errors; latency adds up. */
  decide(t: FaultTarget): FaultDecision {
    const d: FaultDecision = { latencyMs: 0, dropWatch: false, loseResponse: false };
    for (const rule of this.rules) {
      if (!matches(rule, t) || (rule.times !== undefined && rule.used >= rule.times)) continue;
      if (this.random() >= rule.rate) continue;
      rule.used += 1;
      applyRule(rule, t, d);
    }
    return d;
  }
}

function applyRule(rule: ParsedRule, t: FaultTarget, d: FaultDecision): void {
  d.latencyMs += rule.latencyMs ?? 0;
  if (rule.dropWatch && t.verb === 'watch') d.dropWatch = true;
  if (d.error) return;
  if (rule.loseResponse && WRITE_VERBS.has(t.verb)) d.loseResponse = true;
  d.error = injectedError(rule, t);
}

function injectedError(rule: ParsedRule, t: FaultTarget): KubeStatusError | undefined {
  if (rule.error !== undefined) {
    return new KubeStatusError(rule.error, failure(rule.error, 'injected fault', rule.error === 503 ? 'ServiceUnavailable' : 'InternalError'));
  }
  if (rule.conflict && WRITE_VERBS.has(t.verb)) {
    return new KubeStatusError(409, failure(409, `Operation cannot be fulfilled on ${t.resource}: injected conflict`, 'Conflict', { kind: t.resource }));
  }
  return undefined;
}
