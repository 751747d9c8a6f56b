/** The demo's closing numbers, and how the API request cost per node is counted. */
import type { RequestCount } from '../apiserver/index.js';
import type { Percentiles } from './measure.js';

export interface DemoSummary {
  nodes: number;
  migrated: number;
  failed: number;
  halted: string | null;
  maxInFlight: number;
  maxRebootsPerNode: number;
  handoffMs: Percentiles;
  apiRequestsPerNode: number | null;
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

export function renderSummary(s: DemoSummary): string[] {
  return [
    `nodes ${s.nodes}: migrated ${s.migrated}, failed ${s.failed}${s.halted ? `, halted: ${s.halted}` : ''}`,
    `most nodes cordoned at once: ${s.maxInFlight}; most reboots of one node: ${s.maxRebootsPerNode}`,
    `hand-off (node done -> next cordoned): p50 ${s.handoffMs.p50} ms, p99 ${s.handoffMs.p99} ms`,
    `API requests per migrated node: ${s.apiRequestsPerNode ?? 'n/a'}; wall time ${(s.wallMs / 1000).toFixed(1)} s`,
  ];
}
