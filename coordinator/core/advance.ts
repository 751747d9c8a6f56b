/**
 * One write per step: walks a node through as many phases as the observations allow, folding the Node
 * field changes that steps ask for (cordon, uncordon, label, unlabel, clearing a request) into the same
 * patch as the phase that needs them. A merge patch is atomic, so the intent (the phase) and its effect
 * (the cordon) land together: the cordon patch records the phase, and no second write confirms it.
 *
 * Each folded effect is applied to the observations before the next step is evaluated, so "granted" goes
 * straight to Draining with the node cordoned in one write. Pure, like `transition`.
 */
import { NodeAnnotation } from '../../shared/names.js';
import type { Action, Observations, Settings, Transition } from './decision.js';
import type { AnnotationPatch, NodeState } from './node-state.js';
import { actionsFor, transition } from './transition.js';

/** Node fields written in the same patch as the annotations. */
export interface NodeEffects {
  unschedulable?: boolean;
  /** The Cilium migration label set (true) or removed (false). */
  labeled?: boolean;
}

export interface Advance {
  /** The state once `patch` is written. */
  state: NodeState;
  /** Annotations to write (empty when nothing changes). */
  patch: AnnotationPatch;
  effects: NodeEffects;
  /** What runs after the patch is written (drain, Cilium pod deletion, grant release). */
  actions: Action[];
  /** Every phase change, in order. */
  transitions: Transition[];
  /** The phase change `allowed` refused, if one did. */
  refused: Transition | undefined;
}

/** Longer than any chain of phases one set of observations can complete. */
const MAX_STEPS = 20;

const NODE_EFFECTS: Partial<Record<Action['kind'], NodeEffects>> = {
  cordon: { unschedulable: true },
  uncordon: { unschedulable: false },
  label: { labeled: true },
  unlabel: { labeled: false },
};

/** The observations once `e` is written. */
function applied(obs: Observations, e: NodeEffects): Observations {
  return { ...obs, unschedulable: e.unschedulable ?? obs.unschedulable, labeled: e.labeled ?? obs.labeled };
}

export interface AdvanceInput {
  state: NodeState;
  obs: Observations;
  now: Date;
  settings: Settings;
  /**
   * Whether a phase change may happen (a paused rollout lets a node finish its step but not start the
   * next); a refused one leaves the node where it is, and its step's work still runs.
   */
  allowed?: (t: Transition) => boolean;
}

/** The walk so far. */
interface Walk {
  state: NodeState;
  obs: Observations;
  patch: AnnotationPatch;
  effects: NodeEffects;
  transitions: Transition[];
  refused: Transition | undefined;
}

/** Folds the Node field actions (and clearing a request) into the walk; true when any was folded. */
function fold(w: Walk, actions: readonly Action[]): { folded: boolean; rest: Action[] } {
  const rest: Action[] = [];
  let folded = false;
  for (const a of actions) {
    const e = NODE_EFFECTS[a.kind];
    if (e) {
      Object.assign(w.effects, e);
      w.obs = applied(w.obs, e);
    } else if (a.kind === 'clearRequest') {
      w.patch = { ...w.patch, [NodeAnnotation.request]: null };
      w.state = { ...w.state, request: undefined };
    } else {
      rest.push(a);
      continue;
    }
    folded = true;
  }
  return { folded, rest };
}

/** Takes one step; true when the walk moved to another phase. */
function step(w: Walk, i: AdvanceInput): { moved: boolean; actions: Action[] } {
  const d = transition(w.state, w.obs, i.now, i.settings);
  if (!d.transition || !(i.allowed ?? (() => true))(d.transition)) {
    w.refused ??= d.transition;
    return { moved: false, actions: actionsFor(w.state, w.obs, i.settings) };
  }
  // A new attempt (a retry) has no drain outcome yet: the one observed belongs to the last attempt.
  if (d.state.attempt !== w.state.attempt) w.obs = { ...w.obs, drain: undefined };
  w.patch = { ...w.patch, ...d.patch };
  w.state = d.state;
  w.transitions.push(d.transition);
  return { moved: true, actions: d.actions };
}

/** Advances the node as far as the observations allow. */
export function advance(i: AdvanceInput): Advance {
  const w: Walk = { state: i.state, obs: i.obs, patch: {}, effects: {}, transitions: [], refused: undefined };
  const done = (actions: Action[]): Advance => ({ ...w, actions });
  for (let n = 0; n < MAX_STEPS; n += 1) {
    const { moved, actions } = step(w, i);
    const { folded, rest } = fold(w, actions);
    if (!moved && !folded) return done(rest);
  }
  return done(actionsFor(w.state, w.obs, i.settings));
}

/** The transitions a person reads as Events: a grant, a halt, a rollback, and the end (done or rolled back). */
export function isNotable(t: Transition): boolean {
  if (t.from === 'Pending' || t.from === 'RolledBack') return true;
  if (t.to === 'Halted' || t.to === 'Done' || t.to === 'RolledBack') return true;
  return t.to.startsWith('Rollback') && !t.from.startsWith('Rollback');
}
