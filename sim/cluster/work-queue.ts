/**
 * A keyed work queue, as controllers use: a key added many times while waiting is handled once; one key is
 * never handled twice at the same time; a failed key is retried after a growing delay.
 */
import { describeError } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';

export type KeyHandler = (key: string) => Promise<void>;

export interface WorkQueueOptions {
  name: string;
  handle: KeyHandler;
  log: Logger;
  /** First retry delay after a failure; doubles up to 30 s. */
  retryBaseMs?: number;
}

export class WorkQueue {
  private readonly dirty = new Set<string>();
  private readonly running = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed = false;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly opts: WorkQueueOptions) {}

  add(key: string): void {
    if (this.closed) return;
    this.dirty.add(key);
    if (!this.running.has(key)) this.startLater(key);
  }

  /** Resolves once nothing is queued or running (for tests and orderly shutdown). */
  idle(): Promise<void> {
    if (this.dirty.size === 0 && this.running.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.dirty.clear();
    this.notifyIdle();
  }

  private startLater(key: string): void {
    queueMicrotask(() => void this.run(key));
  }

  private async run(key: string): Promise<void> {
    if (this.closed || this.running.has(key) || !this.dirty.delete(key)) return;
    this.running.add(key);
    try {
      await this.opts.handle(key);
      this.failures.delete(key);
    } catch (e) {
      this.retry(key, e);
    } finally {
      this.running.delete(key);
      if (this.dirty.has(key)) this.startLater(key);
      this.notifyIdle();
    }
  }

  private retry(key: string, e: unknown): void {
    const attempt = (this.failures.get(key) ?? 0) + 1;
    this.failures.set(key, attempt);
    const delay = Math.min(30_000, (this.opts.retryBaseMs ?? 100) * 2 ** (attempt - 1));
    this.opts.log.warn({ queue: this.opts.name, key, attempt, delay, err: describeError(e) }, 'reconcile failed; will retry');
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.add(key);
    }, delay);
    this.timers.add(timer);
  }

  private notifyIdle(): void {
    if (this.dirty.size > 0 || this.running.size > 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}
