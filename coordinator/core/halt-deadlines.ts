/**
 * The engine's questions about the halt deadlines of the nodes in flight: which passed (reconcile the node once
 * each), the next one ahead (wake then), how many are past (a metric). Every rollout pass asks them of every node
 * in flight, so each state's deadlines are computed once.
 */
import { isInFlight, type Phase } from '../../shared/phases.js';
import type { Settings } from './decision.js';
import type { NodeState } from './node-state.js';
import { afterRebootDeadlineOf, haltDeadlineOf } from './steps.js';

interface Deadlines {
  phase: Phase;
  since: number | undefined;
  settings: Settings;
  at: readonly number[];
}

/** Each state's halt deadlines as last computed: every rollout pass asks for those of every node in flight. */
const deadlinesMemo = new WeakMap<NodeState, Deadlines>();

const sameTimeouts = (a: Settings, b: Settings): boolean =>
  a === b || (a.drainTimeoutMs === b.drainTimeoutMs && a.rebootTimeoutMs === b.rebootTimeoutMs && a.validateTimeoutMs === b.validateTimeoutMs);

/** A node's halt deadlines (ms): its phase's, and a rebooting node's after-reboot one. */
function haltDeadlinesOf(state: NodeState, s: Settings): readonly number[] {
  const since = state.phaseSince?.getTime();
  const memo = deadlinesMemo.get(state);
  if (memo && memo.phase === state.phase && memo.since === since && sameTimeouts(memo.settings, s)) return memo.at;
  const at = [haltDeadlineOf(state, s), afterRebootDeadlineOf(state, s)].flatMap((d) => (d ? [d.getTime()] : []));
  deadlinesMemo.set(state, { phase: state.phase, since, settings: s, at });
  return at;
}

/** The node's latest halt deadline that has passed (ms), if any: the engine reconciles the node once for each. */
export function lastPassedHaltDeadline(state: NodeState, s: Settings, now: Date): number | undefined {
  let last: number | undefined;
  for (const t of haltDeadlinesOf(state, s)) if (t <= now.getTime() && (last === undefined || t > last)) last = t;
  return last;
}

/** The earliest halt deadline still ahead among the nodes in flight (the engine wakes then). */
export function nextHaltDeadline(states: Iterable<NodeState>, s: Settings, now: Date): Date | undefined {
  let next = Infinity;
  for (const n of states) {
    if (n.phase === 'Pending' || n.phase === 'Halted' || n.phase === 'Done' || n.phase === 'RolledBack') continue;
    for (const t of haltDeadlinesOf(n, s)) if (t > now.getTime() && t < next) next = t;
  }
  return next === Infinity ? undefined : new Date(next);
}

/**
 * How many nodes in flight (not halted) are past their halt deadline (a metric: a stuck rollout shows). A
 * rebooting node counts past its after-reboot deadline: until then it may be waiting, rebooted, to be Ready.
 */
export function countPastHaltDeadline(states: Iterable<NodeState>, s: Settings, now: Date): number {
  const last = (n: NodeState): number => (afterRebootDeadlineOf(n, s) ?? haltDeadlineOf(n, s))?.getTime() ?? Infinity;
  return [...states].filter((n) => isInFlight(n.phase) && n.phase !== 'Halted' && last(n) < now.getTime()).length;
}
