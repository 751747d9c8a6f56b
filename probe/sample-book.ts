/**
 * What one probe pod saw, per target, until the coordinator has taken it: each probe's send time and round
 * trip (null once it went unanswered past the timeout), and each break of a held connection. Bounded: past
 * `MAX_SAMPLES_PER_SERIES` the oldest are dropped.
 */
import { MAX_SAMPLES_PER_SERIES, type ProbeSample, type ProbeSeries } from '../shared/probe.js';

interface Target {
  target: string;
  ip: string;
}

interface Series extends Target {
  samples: ProbeSample[];
  broken: number[];
}

export class SampleBook {
  /** By target, then by address (no key built per probe). */
  private readonly series = new Map<string, Map<string, Series>>();
  private readonly waiting = new Map<number, Target & { at: number }>();

  constructor(private readonly timeoutMs: number) {}

  private seriesOf(t: Target): Series {
    let byIp = this.series.get(t.target);
    if (!byIp) this.series.set(t.target, (byIp = new Map<string, Series>()));
    const found = byIp.get(t.ip);
    if (found) return found;
    const fresh: Series = { target: t.target, ip: t.ip, samples: [], broken: [] };
    byIp.set(t.ip, fresh);
    return fresh;
  }

  /** A probe went out. */
  sent(seq: number, t: Target, at: number): void {
    this.waiting.set(seq, { target: t.target, ip: t.ip, at });
  }

  /** A probe whose outcome was known as it went out (a round trip, or null: lost). */
  record(t: Target, at: number, rttMs: number | null): void {
    this.push(this.seriesOf(t).samples, [at, rttMs]);
  }

  /** Its answer came back; false for an unknown (or already given up) probe. */
  answered(seq: number, at: number): boolean {
    const w = this.waiting.get(seq);
    if (!w) return false;
    this.waiting.delete(seq);
    this.push(this.seriesOf(w).samples, [w.at, Math.max(0, at - w.at)]);
    return true;
  }

  /** Probes unanswered past the timeout are recorded as lost. */
  expire(now: number): void {
    for (const [seq, w] of this.waiting) {
      if (now - w.at < this.timeoutMs) continue;
      this.waiting.delete(seq);
      this.push(this.seriesOf(w).samples, [w.at, null]);
    }
  }

  broke(t: Target, at: number): void {
    this.push(this.seriesOf(t).broken, at);
  }

  private push<T>(list: T[], item: T): void {
    list.push(item);
    if (list.length > MAX_SAMPLES_PER_SERIES) list.splice(0, list.length - MAX_SAMPLES_PER_SERIES);
  }

  /** What to report now (sorted by send time within each series). */
  pending(): ProbeSeries[] {
    return [...this.series.values()]
      .flatMap((byIp) => [...byIp.values()])
      .filter((s) => s.samples.length > 0 || s.broken.length > 0)
      .map((s) => ({ target: s.target, ip: s.ip, samples: [...s.samples].sort((a, b) => a[0] - b[0]), broken: [...s.broken] }));
  }

  /** The coordinator took these: forget them (anything recorded since stays). */
  taken(reported: readonly ProbeSeries[]): void {
    for (const r of reported) {
      const byIp = this.series.get(r.target);
      const s = byIp?.get(r.ip);
      if (!byIp || !s) continue;
      const sent = new Set(r.samples.map((x) => x[0]));
      s.samples = s.samples.filter((x) => !sent.has(x[0]));
      const broken = new Set(r.broken);
      s.broken = s.broken.filter((b) => !broken.has(b));
      if (s.samples.length > 0 || s.broken.length > 0) continue;
      byIp.delete(r.ip);
      if (byIp.size === 0) this.series.delete(r.target);
    }
  }
}
