/**
 * Writes the Migration's status when it changed. Only the leader writes it, so the conditions this
 * writer last wrote are newer than the watched copy, which may lag a write or two behind: deriving
 * transition times from a stale copy made two writes ping-pong forever.
 */
import type { Condition, MigrationStatus } from '../core/migration-spec.js';
import { summarizeStatus, type StatusInput } from '../core/status.js';
import type { MigrationApi } from '../kube/migration.js';

export class StatusWriter {
  private last = '';
  private lastConditions: Condition[] | undefined;

  constructor(private readonly migration: MigrationApi) {}

  async write(input: Omit<StatusInput, 'previousConditions'>, watchedConditions: readonly Condition[]): Promise<void> {
    const status: MigrationStatus = summarizeStatus({ ...input, previousConditions: this.lastConditions ?? watchedConditions });
    const key = JSON.stringify({ ...status, nodes: status.nodes.map((n) => ({ ...n, durationSeconds: 0 })) });
    if (key === this.last) return;
    await this.migration.patchStatus(status);
    this.last = key;
    this.lastConditions = status.conditions;
  }
}
