/**
 * The demo's closing numbers (the one JSON document `--json` prints), their words (the same as
 * `cni-migrate status`), and how the API request cost per node is counted. A figure not measured is null.
 */
import { haltGuidance, preflightGuidance } from '../../coordinator/view/halt-guidance.js';
import { PhaseSchema } from '../../shared/phases.js';
import type { RequestCount } from '../apiserver/index.js';
import type { Percentiles } from './measure.js';
import { renderProbeSummary, type ProbeSummary } from './probe-session.js';
import { LIFTABLE, type Scenario, type ThenRequest } from './options.js';

export interface HaltSummary {
  node: string;
  /** The step that failed. */
  step: string | null;
  reason: string;
  /** The commands that continue. */
  next: string[];
}

export interface DemoSummary {
  scenario: Scenario;
  /** The scenario ended as it should: every node migrated, or (failure scenarios) halted naming the cause. */
  ok: boolean;
  nodes: number;
  migrated: number;
  failed: number;
  halted: HaltSummary | null;
  /**
   * What the demo did after the halt (`--then`): lifted the fault and retried this node, or rolled it back to
   * Calico and then migrated it again.
   */
  then: { request: ThenRequest; node: string | null } | null;
  maxInFlight: number;
  maxRebootsPerNode: number;
  /** Node done → next node cordoned; null when no hand-off happened. */
  handoffMs: Percentiles | null;
  /** The zero-downtime probe's figures per pairing, and whether the migration was zero-downtime; null when not measured. */
  probe: ProbeSummary | null;
  apiRequestsPerNode: number | null;
  /** `verb resource[/subresource]` → requests per migrated node (see requestsByVerb); null when not measured. */
  requestsByVerb: Record<string, number> | null;
  wallMs: number;
}

const TOOL_CALLERS = [
  'system:serviceaccount:cni-migrate:cni-migrate-coordinator',
  'system:serviceaccount:cni-migrate:cni-migrate-agent',
];

/**
 * Every request the coordinator and the agents sent, minus one eviction per evicted pod (evictions scale
 * with pods, not nodes), per migrated node. null without request accounting (an external API server).
 */
/** The request counts of the tool's own callers (the coordinator and the agents). */
export const toolRequests = (counts: RequestCount[]): RequestCount[] => counts.filter((c) => TOOL_CALLERS.includes(c.caller));

export function apiRequestsPerNode(counts: RequestCount[] | undefined, evictedPods: number, migrated: number): number | null {
  if (counts === undefined || migrated === 0) return null;
  const tool = toolRequests(counts);
  const total = tool.reduce((n, c) => n + c.count, 0);
  const evictions = tool.filter((c) => c.subresource === 'eviction').reduce((n, c) => n + c.count, 0);
  return Math.round(((total - Math.min(evictions, evictedPods)) / migrated) * 10) / 10;
}

/** `verb resource[/subresource]` → requests per migrated node, of the tool's own callers, largest first. */
export function requestsByVerb(counts: readonly RequestCount[], migrated: number): Record<string, number> {
  const sums = new Map<string, number>();
  for (const c of toolRequests([...counts])) {
    const key = `${c.verb} ${c.resource}${c.subresource ? `/${c.subresource}` : ''}`;
    sums.set(key, (sums.get(key) ?? 0) + c.count);
  }
  const per = Math.max(1, migrated);
  return Object.fromEntries(
    [...sums.entries()].sort((a, b) => b[1] - a[1]).map(([k, n]) => [k, Math.round((n / per) * 100) / 100]),
  );
}

const CALLER_ROLE: Record<string, string> = { [TOOL_CALLERS[0] ?? '']: 'coordinator', [TOOL_CALLERS[1] ?? '']: 'agent' };

/** The same breakdown per caller: `{coordinator: {...}, agent: {...}}` (who makes which request). */
export function requestsByCaller(counts: readonly RequestCount[], migrated: number): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const caller of TOOL_CALLERS) {
    const role = CALLER_ROLE[caller] ?? caller;
    out[role] = requestsByVerb(counts.filter((c) => c.caller === caller), migrated);
  }
  return out;
}

/** The summary's request figures: per migrated node in all, and by verb and resource. */
export function requestFigures(
  counts: RequestCount[] | undefined,
  evictedPods: number,
  migrated: number,
): Pick<DemoSummary, 'apiRequestsPerNode' | 'requestsByVerb'> {
  const perNode = apiRequestsPerNode(counts, evictedPods, migrated);
  return { apiRequestsPerNode: perNode, requestsByVerb: counts && perNode !== null ? requestsByVerb(counts, migrated) : null };
}

function haltLines(s: DemoSummary): string[] {
  const h = s.halted;
  if (!h) return [];
  const step = PhaseSchema.safeParse(h.step);
  const words = h.node === '' ? preflightGuidance(h.reason, h.next).lines : haltGuidance(h.node, step.success ? step.data : undefined, h.reason, false).lines;
  const demo = s.then === null && LIFTABLE.includes(s.scenario) ? [`In this demo, \`npm run demo -- --scenario ${s.scenario} --then retry\` lifts the fault and retries.`] : [];
  return ['', ...words, ...demo, ''];
}

function outcome(s: DemoSummary): string {
  const verdict = s.ok ? 'as expected' : 'NOT as expected';
  const acted = s.then?.request === 'rollback' ? 'rolled back to Calico, then migrated again' : 'retried';
  const after = s.then ? ` after the fault was lifted${s.then.node ? ` and ${s.then.node} ${acted}` : ''}` : '';
  const what = s.halted ? 'the rollout halted' : `every node migrated${after}`;
  return `scenario ${s.scenario}: ${what} (${verdict})`;
}

export function renderSummary(s: DemoSummary): string[] {
  const handoff = s.handoffMs ? `p50 ${s.handoffMs.p50} ms, p99 ${s.handoffMs.p99} ms` : 'not measured (no node was handed off)';
  return [
    outcome(s),
    `nodes ${s.nodes}: migrated ${s.migrated}, failed ${s.failed}`,
    `most nodes cordoned at once: ${s.maxInFlight}; most reboots of one node: ${s.maxRebootsPerNode}`,
    `hand-off (node done -> next cordoned): ${handoff}`,
    ...renderProbeSummary(s.probe),
    `API requests per migrated node: ${s.apiRequestsPerNode ?? 'not measured'}; wall time ${(s.wallMs / 1000).toFixed(1)} s`,
    // A halt ends with what to do next: the commands that continue are the last lines printed.
    ...haltLines(s),
  ];
}
