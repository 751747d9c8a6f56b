/**
 * The fixtures are a copy of the recorded exchanges kept beside the repository (`../shared/k8s-golden`,
 * or the directory named by K8S_GOLDEN_DIR): every file there must be here, byte for byte, so a new
 * recording cannot go unreplayed. The replay itself (golden-replay.test.ts) covers every fixture.
 *
 * Where the recordings are not beside the repository (a clone on its own), there is nothing to compare
 * against: the check is then reported as skipped, with a title that says why, rather than passing. When
 * K8S_GOLDEN_DIR names a directory explicitly, its absence is a failure.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { GOLDEN_DIR } from './golden-harness.js';

const REPO_ROOT = resolve(GOLDEN_DIR, '..', '..', '..');
const explicit = process.env['K8S_GOLDEN_DIR'];
const SOURCE = explicit ?? resolve(REPO_ROOT, '..', 'shared', 'k8s-golden');

const filesOf = (dir: string): string[] => readdirSync(dir).filter((f) => f.endsWith('.json') || f === 'README.md').sort();

describe('golden fixtures against the recordings beside the repository', () => {
  if (existsSync(SOURCE) || explicit !== undefined) {
    it(`when ${SOURCE} is read, then every file there is in the fixtures with the same bytes`, () => {
      expect(existsSync(SOURCE)).toBe(true);
      const fixtures = new Set(filesOf(GOLDEN_DIR));
      const missing = filesOf(SOURCE).filter((f) => !fixtures.has(f));
      expect({ missing }).toEqual({ missing: [] });
      const differing = filesOf(SOURCE).filter((f) => !readFileSync(join(SOURCE, f)).equals(readFileSync(join(GOLDEN_DIR, f))));
      expect({ differing }).toEqual({ differing: [] });
    });
  } else {
    it.skip(`NOT CHECKED: no recordings at ${SOURCE} (copy them beside the repository or set K8S_GOLDEN_DIR)`, () => undefined);
  }

  it('when the fixtures are listed, then each recording is a numbered JSON file and none is duplicated', () => {
    const ids = filesOf(GOLDEN_DIR)
      .filter((f) => f.endsWith('.json'))
      .map((f) => Number.parseInt(f, 10));
    expect(ids.every((id) => Number.isInteger(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
