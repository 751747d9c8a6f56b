#!/usr/bin/env node
/** Entry point of `cni-migrate`. The only coordinator file that reads the environment or exits. */
import { buildCoordinatorProgram } from './cli.js';
import { runCoordinator } from './server.js';
import { createLogger } from '../shared/logger.js';
import { exitCodeFor } from '../shared/exit.js';
import { untilStopSignal } from '../shared/signals.js';

async function main(): Promise<void> {
  const program = buildCoordinatorProgram(process.env, {
    coordinator: (config) =>
      runCoordinator({
        config,
        log: createLogger({ component: 'coordinator', level: config.logLevel }),
        stop: untilStopSignal(),
      }),
    watchUntil: untilStopSignal,
    tty: process.stdout.isTTY,
  });
  await program.parseAsync(process.argv);
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    const { code, message } = exitCodeFor(e);
    if (message) process.stderr.write(`cni-migrate: ${message}\n`);
    process.exit(code);
  },
);
