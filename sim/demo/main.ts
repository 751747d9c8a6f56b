#!/usr/bin/env node
/** Entry point of `npm run demo`. The only demo file that exits. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { exitCodeFor } from '../../shared/exit.js';
import { createLogger } from '../../shared/logger.js';
import { buildDemoProgram } from './options.js';
import { runDemo } from './run-demo.js';
import { renderSummary } from './summary.js';
import { renderFullRun } from './full-run.js';

/** deploy/ of this checkout (dist/sim/demo/main.js → ../../../deploy). */
const deployDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../deploy');

async function main(): Promise<number> {
  let exitCode = 1;
  const program = buildDemoProgram(async (opts) => {
    const log = createLogger({ component: 'demo', level: process.env.CNI_MIGRATE_DEMO_LOG === 'debug' ? 'debug' : 'silent' });
    const { summary, full, ok } = await runDemo(opts, { out: process.stdout, tty: process.stdout.isTTY && !opts.json, log, deployDir });
    process.stdout.write(`${[...renderSummary(summary), ...(full ? renderFullRun(full) : [])].join('\n')}\n`);
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
    const { code, message } = exitCodeFor(e);
    if (message) process.stderr.write(`demo: ${message}\n`);
    process.exit(code);
  },
);
