/**
 * The probe's pace, pure: how often the probe pods probe and report, from how many of them report. Each pod
 * probes `PEERS_PER_POD` peers and the Service every interval and reports every period; at 200 ms and one
 * second, 1,000 pods would send the coordinator 65,000 probes and 1,000 reports a second, each probe parsed,
 * classified and folded. Past a few hundred pods the coordinator asks for a longer interval and period, so what
 * it takes in stays about the same at any size; a report still carries every probe with its send time.
 */
import { MAX_PROBE_INTERVAL_MS, MAX_REPORT_PERIOD_MS, PROBE_INTERVAL_MS } from '../../../shared/probe.js';
import { PEERS_PER_POD } from './peer-ring.js';

/** The reports a second the coordinator takes at most. */
export const MAX_REPORTS_PER_SECOND = 500;
/** The probes a second (over all pods and targets) the coordinator takes at most. */
export const MAX_PROBES_PER_SECOND = 20_000;

export interface ProbePace {
  /** Between two probes of one target. */
  probeIntervalMs: number;
  /** Between two reports of one pod, at least. */
  minReportPeriodMs: number;
}

const roundUp = (ms: number, step: number): number => Math.ceil(ms / step) * step;

export function paceFor(pods: number): ProbePace {
  const probesPerInterval = pods * (PEERS_PER_POD + 1);
  const interval = roundUp((probesPerInterval * 1000) / MAX_PROBES_PER_SECOND, 50);
  const period = roundUp((pods * 1000) / MAX_REPORTS_PER_SECOND, 100);
  return {
    probeIntervalMs: Math.min(MAX_PROBE_INTERVAL_MS, Math.max(PROBE_INTERVAL_MS, interval)),
    minReportPeriodMs: Math.min(MAX_REPORT_PERIOD_MS, period),
  };
}
