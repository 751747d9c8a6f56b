#!/usr/bin/env node
/** Entry point of `npm run demo`. The only demo file that exits. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { exitCodeFor } from '../../shared/exit.js';
import { createLogger } from '../../shared/logger.js';
import { buildDemoProgram } from './options.js';
import { DemoInterrupted, runDemo } from './run-demo.js';
import { renderSummary } from './summary.js';
import { renderFullRun } from './full-run.js';

/** deploy/ of this checkout: the nearest directory above this file that holds deploy/kustomization.yaml. */
function findDeployDir(from: string): string {
  for (let dir = from; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'deploy', 'kustomization.yaml'))) return path.join(dir, 'deploy');
  }
  return path.resolve(from, '../../../deploy');
}
const deployDir = findDeployDir(path.dirname(fileURLToPath(import.meta.url)));

/**
 * Ctrl-C or SIGTERM ends the run through its cleanup (with --kubeconfig, removing what it created); a
 * second one exits at once.
 */
function interruptOnSignals(): AbortSignal {
  const controller = new AbortController();
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.on(sig, () => {
      if (controller.signal.aborted) process.exit(130);
      process.stderr.write(`demo: ${sig}: stopping and cleaning up (again to exit at once)\n`);
      controller.abort(new DemoInterrupted(sig));
    });
  }
  return controller.signal;
}

async function main(): Promise<number> {
  let exitCode = 1;
  const signal = interruptOnSignals();
  const program = buildDemoProgram(async (opts) => {
    const log = createLogger({ component: 'demo', level: process.env.CNI_MIGRATE_DEMO_LOG === 'debug' ? 'debug' : 'silent' });
    // With --json, stdout carries exactly one JSON document; the people's view goes to stderr.
    const human = opts.json ? process.stderr : process.stdout;
    const { summary, full, ok } = await runDemo(opts, { out: human, tty: human.isTTY === true, log, deployDir, signal, coordinatorThreads: true, clusterThreads: true });
    human.write(`${[...renderSummary(summary), ...(full ? renderFullRun(full) : [])].join('\n')}\n`);
    if (opts.json) process.stdout.write(`${JSON.stringify(full ? { ...summary, full } : summary)}\n`);
    exitCode = ok ? 0 : 1;
    return exitCode;
  });
  await program.parseAsync(process.argv);
  return exitCode;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    if (e instanceof DemoInterrupted) {
      process.stderr.write(`demo: ${e.message}\n`);
      process.exit(130);
    }
    const { code, message } = exitCodeFor(e);
    if (message) process.stderr.write(`demo: ${message}\n`);
    process.exit(code);
  },
);
