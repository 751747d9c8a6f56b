/**
 * The rollout in words: the same lines in `cni-migrate status`, `status --watch`, and the demo's live view and
 * summary. `wide` adds one row per node.
 */
import { PAIRINGS } from '../../shared/probe.js';
import type { InFlightNode, RolloutView } from './rollout-view.js';

const BAR_WIDTH = 30;

export function progressBar(done: number, total: number, width = BAR_WIDTH): string {
  const filled = total === 0 ? 0 : Math.round((done / total) * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
}

/** 75 → "1m15s", 3700 → "1h01m". */
export function duration(seconds: number): string {
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(seconds / 3600)}h${String(Math.floor((seconds % 3600) / 60)).padStart(2, '0')}m`;
}

const table = (rows: string[][]): string[] => {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd());
};

function drainNote(n: InFlightNode): string {
  if (!n.drain) return '';
  const { podsLeft, blockedBy } = n.drain;
  if (podsLeft.length === 0) return 'no pods left to move';
  const shown = podsLeft.slice(0, 3).join(', ') + (podsLeft.length > 3 ? ', …' : '');
  const block = blockedBy.length > 0 ? `; blocked by PodDisruptionBudget ${blockedBy.join(', ')}` : '';
  return `${podsLeft.length} pod${podsLeft.length === 1 ? '' : 's'} left (${shown})${block}`;
}

export function headline(v: RolloutView): string[] {
  const c = v.counts;
  const extra = [c.halted > 0 ? `${c.halted} halted` : '', c.rolledBack > 0 ? `${c.rolledBack} rolled back` : '']
    .filter((s) => s !== '')
    .map((s) => `, ${s}`)
    .join('');
  const eta = v.etaSeconds === null ? '' : `  ETA ${duration(v.etaSeconds)}`;
  return [
    `Migration default  stage ${v.stage}  phase ${v.phase}${v.paused ? ' (paused: no node starts a new step)' : ''}`,
    `${progressBar(c.done, c.total)} ${c.done}/${c.total} done, ${c.inFlight} in flight, ${c.pending} pending${extra}${eta}`,
    ...(v.stageNote ? [v.stageNote] : []),
  ];
}

export function inFlightLines(v: RolloutView): string[] {
  if (v.inFlight.length === 0) return [];
  const rows = v.inFlight.map((n) => [
    `  ${n.name}`,
    n.attempt > 1 ? `${n.step} (attempt ${n.attempt})` : n.step,
    n.secondsInStep === null ? '' : duration(n.secondsInStep),
    drainNote(n),
  ]);
  return ['in flight:', ...table([['  NODE', 'STEP', 'IN STEP', 'NOTE'], ...rows])];
}

export function requestLines(v: RolloutView): string[] {
  if (v.requests.length === 0) return [];
  return ['pending requests (the coordinator acts on each and clears it):', ...v.requests.map((r) => `  ${r.request} ${r.node}`)];
}

export function haltLines(v: RolloutView): string[] {
  return v.halt ? ['', ...v.halt.lines] : [];
}

export function nodeTable(v: RolloutView): string[] {
  const cleaned = v.nodes.some((n) => n.cleanup !== undefined);
  const rows = v.nodes.map((n) => [n.name, n.phase, String(n.attempt), n.cordoned ? 'yes' : '', n.reason ?? '', ...(cleaned ? [n.cleanup ?? ''] : [])]);
  return table([['NODE', 'PHASE', 'ATTEMPT', 'CORDONED', 'REASON', ...(cleaned ? ['CLEANUP'] : [])], ...rows]);
}

/** The zero-downtime probe: the verdict, then one line per pairing. */
export function probeLines(v: RolloutView): string[] {
  const p = v.probe;
  if (!p) return [];
  const verdict = p.zeroDowntime === null ? 'not measured yet' : p.zeroDowntime ? 'zero-downtime so far' : 'NOT zero-downtime: probes lost or connections broken';
  const ms = (n: number | null): string => (n === null ? '-' : `${n}ms`);
  const rows = PAIRINGS.flatMap((k) => {
    const f = p.figures[k];
    return f ? [[`  ${k}`, `${f.lost}/${f.samples} lost (${f.lossPercent}%)`, `gap ${f.longestGapMs}ms`, `p50 ${ms(f.p50Ms)}`, `p99 ${ms(f.p99Ms)}`, `broken ${f.broken}`]] : [];
  });
  return [`probe: ${verdict}`, ...table(rows)];
}

export function renderRolloutView(v: RolloutView, format: 'text' | 'wide'): string[] {
  return [
    ...headline(v),
    ...inFlightLines(v),
    ...probeLines(v),
    ...requestLines(v),
    ...haltLines(v),
    ...(format === 'wide' ? ['', ...nodeTable(v)] : []),
  ];
}
