/** The metrics the coordinator registers: name → `type label,label` (labels sorted). */
import { MigrationMetrics } from '../../coordinator/engine/metrics.js';

export async function registeredMetrics(): Promise<Map<string, string>> {
  const registry = new MigrationMetrics().registry;
  const json = await registry.getMetricsAsJSON();
  const labelsOf = (name: string): string[] => [...((registry.getSingleMetric(name) as { labelNames?: string[] } | undefined)?.labelNames ?? [])].sort();
  return new Map(json.map((m) => [m.name, `${String(m.type)} ${labelsOf(m.name).join(',')}`]));
}
