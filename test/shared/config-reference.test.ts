import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { configReferenceMarkdown } from '../../shared/print-config-reference.js';
import { agentConfigSpec, coordinatorConfigSpec } from '../../shared/config.js';
import { flagName } from '../../shared/config-spec.js';

const START = '<!-- config-reference:start -->';
const END = '<!-- config-reference:end -->';
const readme = readFileSync(join(import.meta.dirname, '..', '..', 'README.md'), 'utf8');

/** The README's text between the markers, without the newline after START and before END. */
function readmeBlock(): string {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) throw new Error('README.md lacks the config-reference markers');
  return readme.slice(start + START.length, end).replace(/^\n/, '').replace(/\n$/, '');
}

describe('the configuration reference in README.md', () => {
  it('when compared with the generated reference, then it is identical (regenerate with npm run docs:config)', () => {
    expect(readmeBlock()).toBe(configReferenceMarkdown());
  });

  it('when generated, then every key of both binaries has a row and a description', () => {
    const md = configReferenceMarkdown();
    for (const [k, def] of [...Object.entries(coordinatorConfigSpec), ...Object.entries(agentConfigSpec)]) {
      expect(md).toContain(`| \`${flagName(k)}\` |`);
      expect(def.description.length).toBeGreaterThan(5);
    }
  });

  it('when the README is read, then it has exactly one reference block and the agent section heading', () => {
    expect(readme.split(START)).toHaveLength(2);
    expect(readme).toContain('\n## Agent: inventory and cleanup\n');
  });
});
