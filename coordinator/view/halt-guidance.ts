/**
 * What an operator does about a halt: the exact commands that continue, in the words the CLI, the demo and
 * the dashboard all use. A halted node stays cordoned (its pods were drained) until it is retried or rolled
 * back; nothing else is granted meanwhile.
 */
import type { Phase } from '../../shared/phases.js';

export interface HaltGuidance {
  node: string;
  /** The step that failed. */
  step: Phase | undefined;
  reason: string;
  /** The commands that continue, first the one most likely wanted. */
  next: string[];
  /** One line per command or fact, for humans. */
  lines: string[];
}

/** A drain blocked by a budget is fixed outside cni-migrate first (the budget, or the workload's replicas). */
const blockedByBudget = (reason: string): boolean => /blocked by PodDisruptionBudget|disruption budget/.test(reason);

export function haltGuidance(node: string, step: Phase | undefined, reason: string, paused: boolean): HaltGuidance {
  const next = [`cni-migrate retry ${node}`, `cni-migrate rollback ${node}`, ...(paused ? ['cni-migrate resume'] : [])];
  const stepName = step ?? 'its failed step';
  const fixFirst = blockedByBudget(reason)
    ? 'Let the blocked pods go first (relax the PodDisruptionBudget or add replicas elsewhere), then retry.'
    : 'Fix the cause first, then retry.';
  const width = Math.max(...next.map((c) => c.length)) + 4;
  const lines = [
    `${node} halted at step ${stepName}: ${reason}`,
    `${node} is left cordoned and no other node starts until it is resolved. ${fixFirst}`,
    `  ${(next[0] ?? '').padEnd(width)}# run ${stepName} again on ${node}`,
    `  ${(next[1] ?? '').padEnd(width)}# put ${node} back on Calico, then uncordon it`,
    ...(paused ? [`  ${'cni-migrate resume'.padEnd(width)}# the rollout is also paused`] : []),
  ];
  return { node, step, reason, next, lines };
}

/** Guidance for a spec the coordinator cannot act on: nothing per node, the Migration itself must change. */
export function specGuidance(reason: string): HaltGuidance {
  const next = ['kubectl edit migration default'];
  return { node: '', step: undefined, reason, next, lines: [`the Migration cannot be acted on: ${reason}`, `  ${next[0]}    # fix spec`] };
}

/** A node rolled back automatically halts the rollout too: it is back on Calico and uncordoned. */
export function rolledBackGuidance(node: string, step: Phase | undefined, reason: string): HaltGuidance {
  const next = [`cni-migrate retry ${node}`];
  return {
    node,
    step,
    reason,
    next,
    lines: [
      `${node} was rolled back to Calico: ${reason}`,
      `${node} is uncordoned; no other node starts until it is migrated again. Fix the cause first, then:`,
      `  ${next[0] ?? ''}    # migrate ${node} again`,
    ],
  };
}

/**
 * Pre-flight holds the rollout before any node is touched: each blocker's fix, then the command that lists
 * them all; the check runs again by itself.
 */
export function preflightGuidance(reason: string, fixes: readonly string[] = []): HaltGuidance {
  const commands = fixes.map((f) => f.replace(/^[^:]*: (?=kubectl )/, ''));
  const next = [...new Set([...commands, 'cni-migrate preflight'])];
  return {
    node: '',
    step: undefined,
    reason,
    next,
    lines: [
      `the rollout has not started: ${reason}`,
      'No node was touched. Fix each blocker; pre-flight runs again every 15 s and on any change of the Migration.',
      ...next.map((c) => (c === 'cni-migrate preflight' ? `  ${c}    # every blocker and warning, each with its fix` : `  ${c}`)),
    ],
  };
}
