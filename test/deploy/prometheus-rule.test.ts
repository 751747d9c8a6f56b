/**
 * The example PrometheusRule: it alerts on a halted rollout, a node stuck in one step past its deadline and
 * probe loss, and every metric its expressions name is one the coordinator registers (a histogram's series
 * included).
 */
import { describe, expect, it } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { REPO_ROOT } from './support/manifests.js';
import { registeredMetrics } from '../support/metrics.js';

const RuleSchema = z.object({
  kind: z.literal('PrometheusRule'),
  spec: z.object({ groups: z.array(z.object({ rules: z.array(z.object({ alert: z.string(), expr: z.string() })) })) }),
});

async function rules(): Promise<{ alert: string; expr: string }[]> {
  const doc = RuleSchema.parse(parse(await readFile(join(REPO_ROOT, 'deploy', 'prometheus-rule.yaml'), 'utf8')));
  return doc.spec.groups.flatMap((g) => g.rules);
}

describe('the example PrometheusRule', () => {
  it('when read, then it alerts on a halt, a step past its deadline and probe loss', async () => {
    const byAlert = new Map((await rules()).map((r) => [r.alert, r.expr]));
    expect(byAlert.get('CniMigrateHalted')).toContain('cni_migrate_halted');
    expect(byAlert.get('CniMigrateStepPastDeadline')).toContain('cni_migrate_nodes_past_step_deadline');
    expect(byAlert.get('CniMigrateProbeLoss')).toContain('cni_migrate_probe_lost_total');
  });

  it('when its expressions name a metric, then the coordinator registers that metric', async () => {
    const registered = await registeredMetrics();
    const series = new Set([...registered.keys()].flatMap((n) => [n, `${n}_bucket`, `${n}_sum`, `${n}_count`]));
    const named = (await rules()).flatMap((r) => [...r.expr.matchAll(/cni_migrate_[a-z_]+/g)].map((m) => m[0]));
    expect(named.length).toBeGreaterThan(3);
    expect(named.filter((n) => !series.has(n))).toEqual([]);
  });
});
