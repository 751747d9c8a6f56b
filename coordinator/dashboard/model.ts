/**
 * What the dashboard shows, from what the coordinator's watches hold: the rollout in `cni-migrate status`'s
 * words, the grant holders, each node's time from grant to done (the hand-off timeline), and the
 * zero-downtime probe's figures when there are any.
 */
import type { ObservedNode } from '../core/observed-objects.js';
import { NodeAnnotation } from '../../shared/names.js';
import { buildRolloutView, type RolloutView } from '../view/rollout-view.js';
import { ProbeStatusSchema, type ProbeStatus } from '../core/probe/limits.js';

export interface TimelineBar {
  node: string;
  phase: string;
  /** RFC 3339; the bar runs to `finishedAt`, or to now while the node is in flight. */
  startedAt: string;
  finishedAt: string | null;
}

export interface DashboardModel {
  generatedAt: string;
  leader: boolean;
  grants: { slot: number; node: string }[];
  view: RolloutView;
  timeline: TimelineBar[];
  /** The zero-downtime probe's figures (the Migration's status.probe): per pairing, and per hand-off; null before any report. */
  probe: ProbeStatus | null;
}

export interface DashboardInput {
  migration: { spec?: unknown; status?: unknown } | undefined;
  nodes: readonly ObservedNode[];
  /** The nodes the rollout covers (the coordinator's last pass); nodes cni-migrate touched are shown as well. */
  scope: readonly string[];
  leader: boolean;
  grants: { slot: number; node: string }[];
  now: Date;
}

/** The nodes the rollout covers, and any node cni-migrate has touched. */
function inScope(input: DashboardInput): ObservedNode[] {
  const scope = new Set(input.scope);
  return input.nodes.filter((n) => scope.has(n.metadata?.name ?? '') || n.metadata?.annotations?.[NodeAnnotation.phase] !== undefined);
}

function timelineOf(nodes: readonly ObservedNode[], view: RolloutView): TimelineBar[] {
  const phase = new Map(view.nodes.map((n) => [n.name, n.phase]));
  return nodes
    .flatMap((n) => {
      const a = n.metadata?.annotations ?? {};
      const startedAt = a[NodeAnnotation.startedAt];
      const name = n.metadata?.name ?? '';
      return startedAt ? [{ node: name, phase: phase.get(name) ?? 'Pending', startedAt, finishedAt: a[NodeAnnotation.finishedAt] ?? null }] : [];
    })
    .sort((x, y) => x.startedAt.localeCompare(y.startedAt));
}

function probeOf(status: unknown): ProbeStatus | null {
  const parsed = ProbeStatusSchema.safeParse(typeof status === 'object' && status !== null ? (status as { probe?: unknown }).probe : undefined);
  return parsed.success ? parsed.data : null;
}

export function dashboardModel(input: DashboardInput): DashboardModel {
  const nodes = inScope(input);
  const view = buildRolloutView({ migration: input.migration, nodes, now: input.now });
  return {
    generatedAt: input.now.toISOString(),
    leader: input.leader,
    grants: input.grants,
    view,
    timeline: timelineOf(nodes, view),
    probe: probeOf(input.migration?.status),
  };
}
