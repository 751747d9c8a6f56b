/**
 * docs/metrics.md lists every metric the coordinator registers (name, type and labels), and nothing else.
 */
import { describe, expect, it } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { registeredMetrics } from '../support/metrics.js';
import { REPO_ROOT } from '../deploy/support/manifests.js';

async function documentedMetrics(): Promise<Map<string, string>> {
  const text = await readFile(join(REPO_ROOT, 'docs', 'metrics.md'), 'utf8');
  const rows = text.split('\n').filter((l) => l.startsWith('| `cni_migrate_'));
  return new Map(
    rows.map((row) => {
      const [, name = '', type = '', labels = ''] = row.split('|').map((c) => c.trim());
      const labelList = [...labels.matchAll(/`([a-z_]+)`/g)].map((m) => m[1] ?? '').sort();
      return [name.replaceAll('`', ''), `${type} ${labelList.join(',')}`];
    }),
  );
}

describe('the metrics reference', () => {
  it('when compared with the metrics the coordinator registers, then it lists each one with its type and labels, and no other', async () => {
    const registered = await registeredMetrics();
    const documented = await documentedMetrics();
    expect(registered.size).toBeGreaterThan(10);
    expect(Object.fromEntries(documented)).toEqual(Object.fromEntries(registered));
  });
});
