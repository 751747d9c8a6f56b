/** bench:migrate's child processes: a child that ended is reported with how it ended, not a closed IPC channel. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { Child } from './migrate/child.js';

const dirs: string[] = [];
afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

describe('a bench child process', () => {
  it('when the process has exited, then asking it fails with its exit code instead of crashing the driver', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'bench-child-'));
    dirs.push(dir);
    const script = path.join(dir, 'exits.mjs');
    await writeFile(script, 'process.exit(3);\n');
    const child = new Child(script);
    await child.exited;
    await expect(child.ask({ kind: 'usage' }, 'usage', 60_000)).rejects.toThrow(/exited \(3\)/);
  });
});
