#!/usr/bin/env node
// Builds dist/ with tsc only when a source file changed since the last build, so `npm run demo -- --help` (and
// every demo after the first) starts at once. "Changed" means newer than dist/.build-stamp, which is written after
// each successful build. `--check` only reports: exit 0 when the build is current, 1 when it is stale.
'use strict';
const { execFileSync } = require('node:child_process');
const { existsSync, readdirSync, statSync, utimesSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

/** What tsconfig.build.json compiles, and what changes its output. */
const SOURCE_DIRS = ['agent', 'coordinator', 'shared', 'sim', 'test/bench', 'test/chaos'];
const SOURCE_FILES = ['tsconfig.json', 'tsconfig.build.json', 'package-lock.json'];

function newestMtime(root) {
  let newest = 0;
  const visit = (dir) => {
    if (!existsSync(dir)) return;
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) visit(p);
      else if (e.name.endsWith('.ts')) newest = Math.max(newest, statSync(p).mtimeMs);
    }
  };
  SOURCE_DIRS.forEach((d) => visit(join(root, d)));
  for (const f of SOURCE_FILES) if (existsSync(join(root, f))) newest = Math.max(newest, statSync(join(root, f)).mtimeMs);
  return newest;
}

function isStale(root) {
  const stamp = join(root, 'dist', '.build-stamp');
  return !existsSync(stamp) || statSync(stamp).mtimeMs < newestMtime(root);
}

const args = process.argv.slice(2);
const rootAt = args.indexOf('--root');
const root = rootAt >= 0 ? args[rootAt + 1] : join(__dirname, '..');
if (args.includes('--check')) process.exit(isStale(root) ? 1 : 0);
if (isStale(root)) {
  const startedAt = new Date();
  try {
    execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
  } catch {
    process.exit(1);
  }
  // Stamped with the build's start: a file saved during the build makes the next run build again.
  writeFileSync(join(root, 'dist', '.build-stamp'), `${startedAt.toISOString()}\n`);
  utimesSync(join(root, 'dist', '.build-stamp'), startedAt, startedAt);
}
