/**
 * `npm run demo` (and the other run scripts) build first only when the build is stale: a source newer than the
 * stamp of the last build. Checked on a throwaway tree with `--check` (exit 0: current, 1: stale).
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';

const SCRIPT = join(import.meta.dirname, '..', '..', 'scripts', 'build-if-stale.cjs');
let root = '';

const check = async (): Promise<number | undefined> => (await execa(process.execPath, [SCRIPT, '--root', root, '--check'], { reject: false })).exitCode;
const at = (path: string, secondsAgo: number) => utimes(join(root, path), new Date(Date.now() - secondsAgo * 1000), new Date(Date.now() - secondsAgo * 1000));

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'build-if-stale-'));
  await mkdir(join(root, 'sim', 'demo'), { recursive: true });
  await mkdir(join(root, 'dist'));
  await writeFile(join(root, 'sim', 'demo', 'main.ts'), 'export {};\n');
  await writeFile(join(root, 'tsconfig.json'), '{}\n');
  await at('sim/demo/main.ts', 60);
  await at('tsconfig.json', 60);
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('build only when stale', () => {
  it('when nothing was built yet, then the build is stale', async () => {
    expect(await check()).toBe(1);
  });

  it('when the stamp is newer than every source, then the build is current', async () => {
    await writeFile(join(root, 'dist', '.build-stamp'), 'x\n');
    expect(await check()).toBe(0);
  });

  it('when a source changed after the last build, then the build is stale', async () => {
    await writeFile(join(root, 'dist', '.build-stamp'), 'x\n');
    await at('dist/.build-stamp', 30);
    await writeFile(join(root, 'sim', 'demo', 'main.ts'), 'export const changed = 1;\n');
    expect(await check()).toBe(1);
  });
});
