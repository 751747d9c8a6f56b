#!/usr/bin/env node
/** Entry point of `npm run demo`. The only demo file that exits. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { exitCodeFor } from '../../shared/exit.js';
import { createLogger } from '../../shared/logger.js';
import { buildDemoProgram } from './options.js';
import { runDemo } from './run-demo.js';
import { renderSummary } from './summary.js';

/** deploy/ of this checkout: the nearest directory above this file that holds deploy/kustomization.yaml. */
function findDeployDir(from: string): string {
  for (let dir = from; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'deploy', 'kustomization.yaml'))) return path.join(dir, 'deploy');
  }
  return path.resolve(from, '../../../deploy');
}
const deployDir = findDeployDir(path.dirname(fileURLToPath(import.meta.url)));

async function main(): Promise<number> {
  let exitCode = 1;
  const program = buildDemoProgram(async (opts) => {
    const log = createLogger({ component: 'demo', level: process.env.CNI_MIGRATE_DEMO_LOG === 'debug' ? 'debug' : 'silent' });
    // With --json, stdout carries exactly one JSON document; the people's view goes to stderr.
    const human = opts.json ? process.stderr : process.stdout;
    const { summary, ok } = await runDemo(opts, { out: human, tty: human.isTTY === true, log, deployDir });
    human.write(`${renderSummary(summary).join('\n')}\n`);
    if (opts.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
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
