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

export function runRollout(flags: Record<string, unknown>, io: Partial<DemoIo> = {}): Promise<DemoResult> {
  return runDemo(parseDemoOptions(flags), {
    out: discard(),
    tty: false,
    log: silentLogger(),
    deployDir: 'deploy',
    ...io,
  });
}
