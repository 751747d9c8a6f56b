import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { NodeAnnotation } from '../../shared/names.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe("the README's uninstall commands", () => {
  it('when a Node annotation is added to the code, then the uninstall command removes it too', () => {
    const line = readme.split('\n').find((l) => l.startsWith('kubectl annotate nodes --all '));
    if (!line) throw new Error('README has no "kubectl annotate nodes --all" uninstall line');
    const removed = new Set(line.split(' ').filter((w) => w.endsWith('-')).map((w) => w.slice(0, -1)));
    const missing = Object.values(NodeAnnotation).filter((key) => !removed.has(key));
    expect(missing).toEqual([]);
  });
});
