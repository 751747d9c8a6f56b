/**
 * The migration plan, before anything is touched: the node order and why each node sits where it does, per
 * node the pods a drain will evict and the budgets they meet, pre-flight's findings, and an estimated
 * duration (from the measured times of nodes already done, else stated defaults). Pure.
 */
import type { V1Node, V1Pod, V1PodDisruptionBudget } from '@kubernetes/client-node';
import { CONTROL_PLANE_LABEL, NodeAnnotation } from '../../shared/names.js';
import { pdbsProtecting, planDrain, podRef, type DrainOptions } from './drain-plan.js';
import { migrationOrder } from './migration-order.js';
import type { PreflightReport } from './preflight/index.js';

/** Per-node minutes assumed when no node was measured yet: drain 2, reboot 5, validation 1. */
export const DEFAULT_NODE_SECONDS = { drain: 120, reboot: 300, validate: 60 } as const;

export interface PlannedPod {
  pod: string;
  /** The PodDisruptionBudgets it meets, with how many disruptions each allows now. */
  budgets: string[];
}

export interface PlannedNode {
  position: number;
  name: string;
  reason: string;
  phase: string;
  evict: PlannedPod[];
  /** Pods the drain will refuse (it halts there). */
  refused: string[];
}

export interface MigrationPlan {
  nodes: PlannedNode[];
  blockers: PreflightReport['blockers'];
  warnings: PreflightReport['warnings'];
  validation: PreflightReport['cidrs'];
  estimate: { perNodeSeconds: number; totalSeconds: number; basis: string; concurrency: number; remaining: number };
}

export interface PlanInput {
  nodes: readonly V1Node[];
  pods: readonly V1Pod[];
  pdbs: readonly V1PodDisruptionBudget[];
  drain: DrainOptions;
  includeControlPlane: boolean;
  concurrency: number;
  preflight: PreflightReport;
}

const isControlPlane = (n: V1Node): boolean => n.metadata?.labels?.[CONTROL_PLANE_LABEL] !== undefined;
const phaseOf = (n: V1Node): string => n.metadata?.annotations?.[NodeAnnotation.phase] ?? 'Pending';

function budgetsOf(pod: V1Pod, pdbs: readonly V1PodDisruptionBudget[]): string[] {
  return pdbsProtecting(pod, pdbs).map((ref) => {
    const b = pdbs.find((x) => `${x.metadata?.namespace ?? ''}/${x.metadata?.name ?? ''}` === ref);
    return `${ref} (allows ${b?.status?.disruptionsAllowed ?? '?'} now)`;
  });
}

function reasonFor(n: V1Node, index: number, order: readonly string[], byName: ReadonlyMap<string, V1Node>): string {
  if (isControlPlane(n)) return 'control plane: after every worker';
  const first = order.findIndex((x) => !isControlPlane(byName.get(x) as V1Node));
  return index === first ? 'worker: first in name order' : 'worker: in name order';
}

/** Seconds per node: the mean of nodes already done (started-at to finished-at), else the defaults. */
function perNode(nodes: readonly V1Node[]): { seconds: number; basis: string } {
  const measured = nodes.flatMap((n) => {
    const a = n.metadata?.annotations ?? {};
    const start = Date.parse(a[NodeAnnotation.startedAt] ?? '');
    const end = Date.parse(a[NodeAnnotation.finishedAt] ?? '');
    return phaseOf(n) === 'Done' && end > start ? [(end - start) / 1000] : [];
  });
  if (measured.length > 0) {
    const mean = Math.round(measured.reduce((a, b) => a + b, 0) / measured.length);
    return { seconds: mean, basis: `mean of ${measured.length} node(s) already migrated` };
  }
  const d = DEFAULT_NODE_SECONDS;
  return { seconds: d.drain + d.reboot + d.validate, basis: `defaults: drain ${d.drain}s + reboot ${d.reboot}s + validation ${d.validate}s per node` };
}

export function buildPlan(i: PlanInput): MigrationPlan {
  const byName = new Map(i.nodes.map((n) => [n.metadata?.name ?? '', n]));
  const order = migrationOrder(
    i.nodes.map((n) => ({ name: n.metadata?.name ?? '', controlPlane: isControlPlane(n) })),
    { includeControlPlane: i.includeControlPlane, selfNode: undefined },
  );
  const nodes = order.map((name, index) => {
    const n = byName.get(name) as V1Node;
    const drain = planDrain(i.pods.filter((p) => p.spec?.nodeName === name), i.drain);
    return {
      position: index + 1,
      name,
      reason: reasonFor(n, index, order, byName),
      phase: phaseOf(n),
      evict: drain.evict.map((p) => ({ pod: podRef(p), budgets: budgetsOf(p, i.pdbs) })),
      refused: drain.refused,
    };
  });
  const remaining = nodes.filter((n) => n.phase !== 'Done').length;
  const per = perNode(i.nodes);
  const concurrency = Math.max(1, i.concurrency);
  return {
    nodes,
    blockers: i.preflight.blockers,
    warnings: i.preflight.warnings,
    validation: i.preflight.cidrs,
    estimate: { perNodeSeconds: per.seconds, totalSeconds: Math.ceil(remaining / concurrency) * per.seconds, basis: per.basis, concurrency, remaining },
  };
}
