/** Runs the demo's rollout (real coordinator and agents on the simulated cluster) for end-to-end tests. */
import { Writable } from 'node:stream';
import { silentLogger } from '../../shared/logger.js';
import { parseDemoOptions } from '../../sim/demo/options.js';
import { runDemo, type DemoIo, type DemoResult } from '../../sim/demo/run-demo.js';

const discard = (): Writable =>
  new Writable({
    write(_chunk, _enc, cb) {
      cb();
    },
  });

/** Short deadlines for failure scenarios, so they halt in a few seconds (the happy path keeps the demo's). */
export const FAST_DEADLINES = {
  drainTimeoutSeconds: 3,
  rebootTimeoutSeconds: 4,
  validateTimeoutSeconds: 5,
};

/**
 * Deadlines for runs that must succeed: a loaded machine (CI may share the cores) can stretch a step many
 * times over, and a deadline that passes halts the rollout. A step that really hangs still ends the run.
 */
export const LOAD_PROOF_DEADLINES = {
  drainTimeoutSeconds: 120,
  rebootTimeoutSeconds: 120,
  validateTimeoutSeconds: 120,
};

/** Runs the demo; the coordinator keys in `io.coordinator` override the load-proof deadlines. */
export function runRollout(flags: Record<string, unknown>, io: Partial<DemoIo> = {}): Promise<DemoResult> {
  return runDemo(parseDemoOptions(flags), {
    out: discard(),
    tty: false,
    log: silentLogger(),
    deployDir: 'deploy',
    // The deadline only ends a run that really hangs: a loaded machine stretches a rollout far past the demo's 120 s.
    rolloutDeadlineMs: 240_000,
    ...io,
    coordinator: { ...LOAD_PROOF_DEADLINES, ...io.coordinator },
  });
}


/** Fails a run that did not end as its scenario expects, showing the whole summary (what was seen, not just "false"). */
export function expectOk(run: { ok: boolean; summary: unknown }): void {
  if (!run.ok) throw new Error(`the rollout did not end as expected; its summary: ${JSON.stringify(run.summary, null, 2)}`);
}
