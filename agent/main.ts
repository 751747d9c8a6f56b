#!/usr/bin/env node
/** Entry point of `cni-migrate-agent`. The only agent file that reads the environment or exits. */
import { runAgentCli } from './cli.js';
import { createLogger } from '../shared/logger.js';
import { exitCodeFor } from '../shared/exit.js';
import { untilStopSignal } from '../shared/signals.js';
import { createCommandRunner } from './host/exec.js';
import { createCleanupDeps } from './host/node-host-factory.js';
import { nodeCommandHandlers } from './host/node-commands.js';

async function main(): Promise<number> {
  const commandLog = createLogger({ component: 'agent', level: 'warn', destination: process.stderr });
  return runAgentCli(process.argv, process.env, {
    // Loaded on demand: the Kubernetes client is heavy, and `inventory`/`cleanup` never need it.
    run: async (config) =>
      (await import('./daemon.js')).runAgentDaemon({
        config,
        log: createLogger({ component: 'agent', level: config.logLevel }),
        stop: untilStopSignal(),
      }),
    ...nodeCommandHandlers(
      (paths) => createCleanupDeps(createCommandRunner(), paths, commandLog),
      (text) => process.stdout.write(text),
    ),
  });
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    const { code, message } = exitCodeFor(e);
    if (message) process.stderr.write(`cni-migrate-agent: ${message}\n`);
    process.exit(code);
  },
);
