/**
 * What marks an object as the demo's: the label `demo.cni-migrate.io/run=<run id>` on everything a
 * `--kubeconfig` run creates, its own Migration `demo-<run id>`, and the taint that keeps the cluster's own
 * workloads off its simulated nodes. The demo never touches an object without the label.
 */
import { randomBytes } from 'node:crypto';

export const DEMO_RUN_LABEL = 'demo.cni-migrate.io/run';
/** Every object any demo run created (leftovers of an earlier run included). */
export const ANY_DEMO_RUN = DEMO_RUN_LABEL;
export const DEMO_NODE_PREFIX = 'demo';
/** On every simulated node: only pods that tolerate it (the demo's own, DaemonSets tolerating all) run there. */
export const DEMO_NODE_TAINT = { key: 'demo.cni-migrate.io/simulated', value: 'true', effect: 'NoSchedule' } as const;

export interface DemoRun {
  id: string;
  labels: Record<string, string>;
  /** Label selector of exactly this run's objects. */
  selector: string;
  migrationName: string;
}

export function newDemoRun(id = randomBytes(3).toString('hex')): DemoRun {
  return { id, labels: { [DEMO_RUN_LABEL]: id }, selector: `${DEMO_RUN_LABEL}=${id}`, migrationName: `demo-${id}` };
}

/** The run that created an object, if a demo did. */
export const demoRunOf = (o: { metadata?: { labels?: Record<string, string> } }): string | undefined => o.metadata?.labels?.[DEMO_RUN_LABEL];
