/**
 * The phase model of one node's migration. A node walks the migrate path in order; a halted node can be
 * retried (back to its failed step) or rolled back (the rollback path). The phase is written on the Node
 * (annotation `cni-migrate.io/phase`) *before* the step's side effect, so a restarted coordinator repeats an
 * idempotent step instead of skipping it.
 */
import { z } from 'zod';

/** The runbook's steps, in order. */
export const MIGRATE_PHASES = [
  'Pending',
  'Cordoning',
  'Draining',
  'Labeling',
  'RestartingCilium',
  'Rebooting',
  'WaitingReady',
  'Validating',
  'Uncordoning',
  'Done',
] as const;

/** Rollback of one node: undo the label and Cilium's CNI files, reboot back onto Calico, check, uncordon. */
export const ROLLBACK_PHASES = [
  'RollbackUnlabeling',
  'RollbackRestoringCniFiles',
  'RollbackRestartingCilium',
  'RollbackRebooting',
  'RollbackWaitingReady',
  'RollbackValidating',
  'RollbackUncordoning',
  'RolledBack',
] as const;

export const TERMINAL_PHASES = ['Done', 'RolledBack'] as const;

export const PhaseSchema = z.enum([...MIGRATE_PHASES, ...ROLLBACK_PHASES, 'Halted']);
export type Phase = z.infer<typeof PhaseSchema>;

export const isTerminal = (p: Phase): boolean => (TERMINAL_PHASES as readonly string[]).includes(p);

/** Phases during which the node counts as "in flight" (holds a grant slot). */
export const isInFlight = (p: Phase): boolean => p !== 'Pending' && !isTerminal(p);

/** The phase after `p` on its own path (Done and RolledBack have none). */
export function nextPhase(p: Phase): Phase | undefined {
  for (const path of [MIGRATE_PHASES, ROLLBACK_PHASES] as const) {
    const i = (path as readonly Phase[]).indexOf(p);
    if (i >= 0) return (path as readonly Phase[])[i + 1];
  }
  return undefined;
}
