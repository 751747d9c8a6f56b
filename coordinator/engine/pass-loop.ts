/**
 * Runs reconcile passes: every wake asks for one; passes never overlap, and wakes during a pass cause
 * exactly one more. A wake asks for a full pass (every node is read) or for the rollout only (the grants
 * and the status, from what the nodes' own reconciles left in the index); the wakes before a pass add up.
 * A failed pass is retried after a second, in full. Timers (a retry after a failed action, the next phase
 * deadline) wake it later; stopping clears them all and waits for the pass in progress.
 */
import { describeError } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';

const RETRY_FAILED_PASS_MS = 1000;

/** What a pass covers: every node (`all`), or the rollout only. */
export interface PassWork {
  all: boolean;
}
/** A deadline is checked just after it passed, never just before. */
const DEADLINE_SLACK_MS = 5;

export class PassLoop {
  private dirty = false;
  private all = false;
  private running: Promise<void> | undefined;
  private stopped = true;
  private deadlineTimer: NodeJS.Timeout | undefined;
  private readonly retryTimers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly pass: (work: PassWork) => Promise<void>,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.stopped = false;
    this.wake();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.deadlineTimer);
    this.retryTimers.forEach((t) => clearTimeout(t));
    this.retryTimers.clear();
    await this.running;
  }

  /** Asks for a full pass now, or after `afterMs` (a retry). */
  wake(afterMs?: number): void {
    if (this.stopped) return;
    if (afterMs !== undefined) {
      const t = setTimeout(() => {
        this.retryTimers.delete(t);
        this.wake();
      }, afterMs);
      this.retryTimers.add(t);
      return;
    }
    this.all = true;
    this.wakeRollout();
  }

  /** Asks for a pass of the rollout only (a node's reconcile changed what it decides on). */
  wakeRollout(): void {
    if (this.stopped) return;
    this.dirty = true;
    this.running ??= this.loop();
  }

  /** Wakes once at `at` (the next phase deadline), replacing the previous one; none when undefined. */
  wakeAt(at: Date | undefined, now: Date): void {
    clearTimeout(this.deadlineTimer);
    if (at === undefined || this.stopped) return;
    this.deadlineTimer = setTimeout(() => this.wake(), Math.max(0, at.getTime() - now.getTime()) + DEADLINE_SLACK_MS);
  }

  /**
   * The loop marks itself finished in the same step as its last look at `dirty`: a `.finally` on its promise would
   * run a microtask later, and a wake in between would find a loop that has already looked its last (lost wake).
   */
  private async loop(): Promise<void> {
    try {
      while (this.dirty && !this.stopped) {
        this.dirty = false;
        const work: PassWork = { all: this.all };
        this.all = false;
        try {
          await this.pass(work);
        } catch (e) {
          this.log.error({ err: describeError(e) }, 'reconcile pass failed; retrying');
          this.wake(RETRY_FAILED_PASS_MS);
        }
      }
    } finally {
      this.running = undefined;
    }
  }
}
