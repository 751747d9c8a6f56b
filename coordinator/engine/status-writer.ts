/**
 * Writes the Migration's status when it changed, computed at most once a second (a rollout of thousands of nodes
 * changes it many times a second; the status holds counts and the nodes in flight). Only the leader writes it, so the conditions this
 * writer last wrote are newer than the watched copy, which may lag a write or two behind: deriving
 * transition times from a stale copy made two writes ping-pong forever.
 *
 * The write runs beside the passes, one at a time: a pass that awaited it held every hand-off decided after it
 * (a node that finished meanwhile waited for the status's round trip before the next node's grant). A pass during
 * a write computes nothing; the write's end wakes another, and a failed write is tried again by the pass after the
 * interval.
 */
import type { Condition, MigrationStatus } from '../core/migration-spec.js';
import { summarizeStatus, type StatusInput } from '../core/status.js';
import type { MigrationApi } from '../kube/migration.js';
import { describeError } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';
import type { ProbeFigures } from '../core/probe/figures.js';

/** The status is written at most this often: a change within it is written when it ends. */
export const STATUS_MIN_INTERVAL_MS = 1000;

/**
 * What must be written when it changes: everything but the clocks and the probe's running counts. The probe's
 * figures ride along with any write, and force one only when a probe is lost or a connection breaks.
 */
function changeKey(status: MigrationStatus): string {
  const losses = (f: ProbeFigures): unknown => Object.entries(f).filter(([, x]) => x.lost > 0 || x.broken > 0).map(([p, x]) => [p, x.lost, x.broken, x.longestGapMs]);
  const probe = status.probe && {
    figures: losses(status.probe.figures),
    handOffs: status.probe.handOffs.map((h) => [h.node, h.attempt, losses(h.figures)]).filter((h) => (h[2] as unknown[]).length > 0),
  };
  return JSON.stringify({ ...status, nodes: status.nodes.map((n) => ({ ...n, durationSeconds: 0 })), probe });
}

export class StatusWriter {
  private last = '';
  private lastConditions: Condition[] | undefined;
  /** When the status was last computed (it is computed at most once per interval, written when changed). */
  private computedAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private lastHalted = false;
  /** The write on its way, if one is. */
  private writing: Promise<void> | undefined;
  /** A pass came during the write: wake another once it ends. */
  private wakeAfterWrite = false;

  /** `wake` asks for another pass once a held-back change may be written. */
  constructor(
    private readonly migration: MigrationApi,
    private readonly wake: () => void,
    private readonly log: Logger,
  ) {}

  /**
   * Starts writing the status `input` reads as, if it changed. The status covers every node, so it is computed at
   * most once per interval: a pass within it leaves it to the pass the interval's end wakes.
   */
  write(input: () => Omit<StatusInput, 'previousConditions'>, watchedConditions: readonly Condition[]): void {
    if (this.writing) {
      this.wakeAfterWrite = true;
      return;
    }
    const wait = this.computedAt + STATUS_MIN_INTERVAL_MS - Date.now();
    if (wait > 0) {
      this.timer ??= setTimeout(() => {
        this.timer = undefined;
        this.wake();
      }, wait);
      return;
    }
    this.computedAt = Date.now();
    const status: MigrationStatus = summarizeStatus({ ...input(), previousConditions: this.lastConditions ?? watchedConditions });
    this.lastHalted = status.phase === 'Halted';
    const key = changeKey(status);
    if (key === this.last) return;
    this.writing = this.patch(status, key);
  }

  private async patch(status: MigrationStatus, key: string): Promise<void> {
    try {
      await this.migration.patchStatus(status);
      this.last = key;
      this.lastConditions = status.conditions;
    } catch (e) {
      this.log.warn({ err: describeError(e) }, 'could not write the Migration status; trying again');
      this.wakeAfterWrite = true;
    } finally {
      this.writing = undefined;
      if (this.wakeAfterWrite) {
        this.wakeAfterWrite = false;
        this.wake();
      }
    }
  }

  /** Whether the status last computed says the rollout is halted. */
  halted(): boolean {
    return this.lastHalted;
  }

  /** Stops waking passes; resolves once the write on its way (if any) has ended. */
  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.wakeAfterWrite = false;
    await this.writing;
  }
}
