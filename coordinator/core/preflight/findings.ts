/** A pre-flight finding: a blocker stops the rollout before any node is touched; a warning is reported only. */

export type Severity = 'blocker' | 'warning';

export interface Finding {
  severity: Severity;
  /** A stable id of the check (`cilium-secondary-mode`, `cidr-overlap`, …). */
  check: string;
  /** What is wrong, with the values read from the cluster. */
  message: string;
  /** One line saying how to fix it. */
  fix: string;
}

export const blocker = (check: string, message: string, fix: string): Finding => ({ severity: 'blocker', check, message, fix });
export const warning = (check: string, message: string, fix: string): Finding => ({ severity: 'warning', check, message, fix });

/** "a, b and 3 more": a bounded list of names for a one-line message. */
export function nameList(names: readonly string[], max = 5): string {
  const shown = names.slice(0, max).join(', ');
  return names.length > max ? `${shown} and ${names.length - max} more` : shown;
}
