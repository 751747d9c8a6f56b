import { describe, expect, it } from '@jest/globals';
import { MIGRATE_PHASES, PhaseSchema, ROLLBACK_PHASES, isInFlight, isTerminal, nextPhase } from '../../shared/phases.js';

describe('phase model', () => {
  it('walks the migrate path in runbook order and stops at Done', () => {
    const walked: string[] = ['Pending'];
    for (let p = nextPhase('Pending'); p; p = nextPhase(p)) walked.push(p);
    expect(walked).toEqual([...MIGRATE_PHASES]);
  });

  it('walks the rollback path to RolledBack', () => {
    const walked: string[] = [ROLLBACK_PHASES[0]];
    for (let p = nextPhase(ROLLBACK_PHASES[0]); p; p = nextPhase(p)) walked.push(p);
    expect(walked).toEqual([...ROLLBACK_PHASES]);
  });

  it('counts only started, unfinished nodes as in flight', () => {
    expect(isInFlight('Pending')).toBe(false);
    expect(isInFlight('Draining')).toBe(true);
    expect(isInFlight('Halted')).toBe(true);
    expect(isInFlight('Done')).toBe(false);
    expect(isTerminal('RolledBack')).toBe(true);
  });

  it('when a node halts, then no phase follows until an operator decides', () => {
    expect(nextPhase('Halted')).toBeUndefined();
    expect(nextPhase('Done')).toBeUndefined();
    expect(nextPhase('RolledBack')).toBeUndefined();
  });

  it('when a phase is read from an annotation, then only known phases parse', () => {
    expect(PhaseSchema.options).toEqual([...MIGRATE_PHASES, ...ROLLBACK_PHASES, 'Halted']);
    expect(PhaseSchema.safeParse('Draining').success).toBe(true);
    expect(PhaseSchema.safeParse('draining').success).toBe(false);
    expect(PhaseSchema.safeParse('').success).toBe(false);
  });
});
