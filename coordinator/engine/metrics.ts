/**
 * Prometheus metrics, updated on phase transitions (and the probe's on its reports). One registry per engine
 * (several may run in a process). docs/metrics.md lists every one; a test keeps the two in step.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Phase } from '../../shared/phases.js';
import { ProbeMetrics } from './probe-metrics.js';

export class MigrationMetrics {
  readonly registry = new Registry();
  private readonly started = new Counter({
    name: 'cni_migrate_migrations_started_total',
    help: 'Node migrations started (granted and cordoning).',
    registers: [this.registry],
  });
  private readonly completed = new Counter({
    name: 'cni_migrate_migrations_completed_total',
    help: 'Node migrations completed (Done).',
    registers: [this.registry],
  });
  private readonly failed = new Counter({
    name: 'cni_migrate_migrations_failed_total',
    help: 'Node migrations that halted or were rolled back automatically.',
    registers: [this.registry],
  });
  private readonly rolledBack = new Counter({
    name: 'cni_migrate_rollbacks_completed_total',
    help: 'Node rollbacks completed (RolledBack).',
    registers: [this.registry],
  });
  private readonly phaseSeconds = new Histogram({
    name: 'cni_migrate_phase_duration_seconds',
    help: 'How long a node spent in a phase.',
    labelNames: ['phase'],
    buckets: [0.1, 0.5, 1, 5, 15, 30, 60, 120, 300, 600, 1800],
    registers: [this.registry],
  });
  private readonly halted = new Gauge({
    name: 'cni_migrate_halted',
    help: '1 while the rollout is halted (a node failed a step, a stage halted, or the spec is invalid), else 0.',
    registers: [this.registry],
  });
  private readonly pastDeadline = new Gauge({
    name: 'cni_migrate_nodes_past_step_deadline',
    help: 'Nodes in flight whose current step has outlived its deadline without halting (the coordinator is not acting on them).',
    registers: [this.registry],
  });
  readonly probe = new ProbeMetrics(this.registry);

  /** After each pass of the leader: whether the rollout is halted, and how many nodes are past their step's deadline. */
  rollout(halted: boolean, nodesPastDeadline: number): void {
    this.halted.set(halted ? 1 : 0);
    this.pastDeadline.set(nodesPastDeadline);
  }

  /** Records one transition `from` → `to` after `seconds` in `from`. */
  transition(from: Phase, to: Phase, seconds: number | undefined): void {
    if (seconds !== undefined) this.phaseSeconds.observe({ phase: from }, seconds);
    if (to === 'Cordoning' && (from === 'Pending' || from === 'RolledBack')) this.started.inc();
    if (to === 'Done') this.completed.inc();
    if (to === 'RolledBack') this.rolledBack.inc();
    if (to === 'Halted' || (to === 'RollbackUnlabeling' && from === 'Validating')) this.failed.inc();
  }
}
