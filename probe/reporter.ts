/**
 * Sends a probe pod's report to the coordinator and reads the peers from its answer. What the coordinator
 * did not take (no answer, an error) stays in the book and goes with the next report.
 */
import { PROBE_REPORT_PATH, ProbeAnswerSchema, type ProbeAnswer, type ProbeReport } from '../shared/probe.js';
import type { Fetch } from '../shared/fetch.js';
import type { SampleBook } from './sample-book.js';

export interface ReporterDeps {
  /** e.g. http://10.96.0.20:9876 */
  coordinatorUrl: () => string;
  token: () => Promise<string>;
  identity: Pick<ProbeReport, 'nodeName' | 'podName' | 'podIP'>;
  timeoutMs: number;
  /** The HTTP call (default: the global fetch). */
  fetch?: Fetch;
}

export type ReportOutcome = { ok: true; answer: ProbeAnswer } | { ok: false; error: string };

export async function sendReport(d: ReporterDeps, book: SampleBook): Promise<ReportOutcome> {
  const series = book.pending();
  const report: ProbeReport = { ...d.identity, series };
  try {
    const res = await (d.fetch ?? fetch)(`${d.coordinatorUrl()}${PROBE_REPORT_PATH}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await d.token()}` },
      body: JSON.stringify(report),
      signal: AbortSignal.timeout(d.timeoutMs),
    });
    if (!res.ok) return { ok: false, error: `HTTP ${res.status}: ${(await res.text()).slice(0, 200)}` };
    const answer = ProbeAnswerSchema.parse(await res.json());
    book.taken(series);
    return { ok: true, answer };
  } catch (e) {
    return { ok: false, error: e instanceof Error ? e.message : String(e) };
  }
}
