#!/usr/bin/env node
/** Entry point of `cni-migrate-agent`. The only agent file that reads the environment or exits. */
import { buildAgentProgram } from './cli.js';
import { runAgentDaemon } from './daemon.js';
import { createLogger } from '../shared/logger.js';
import { exitCodeFor } from '../shared/exit.js';
import { untilStopSignal } from '../shared/signals.js';

async function main(): Promise<void> {
  const program = buildAgentProgram(process.env, {
    run: (config) =>
      runAgentDaemon({
        config,
        log: createLogger({ component: 'agent', level: config.logLevel }),
        stop: untilStopSignal(),
      }),
  });
  await program.parseAsync(process.argv);
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    const { code, message } = exitCodeFor(e);
    if (message) process.stderr.write(`cni-migrate-agent: ${message}\n`);
    process.exit(code);
  },
);
