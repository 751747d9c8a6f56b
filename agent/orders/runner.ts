/**
 * Runs the coordinator's orders on this node. Each order id runs at most once per process (a redelivered
 * order gets the first run's result back), and results wait in an outbox until the coordinator took them.
 */
import type { Order, OrderResult } from '../../shared/api.js';
import { describeError, isCniMigrateError } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';
import type { ValidateOrder } from '../checks/check-pod.js';
import type { NodeHost } from '../host/node-host.js';
import { rebootIfBootId } from '../host/reboot.js';
import type { OrderOutcome } from './outcome.js';

export interface OrderRunnerDeps {
  host: NodeHost;
  nodeName: string;
  podName: string;
  validate(order: ValidateOrder): Promise<OrderOutcome>;
  /** Clean even while calico-node still runs. */
  forceCleanup: boolean;
  log: Logger;
}

type OrderOf<K extends Order['kind']> = Extract<Order, { kind: K }>;

export class OrderRunner {
  private readonly runs = new Map<string, Promise<OrderResult>>();
  private readonly outbox = new Map<string, OrderResult>();

  constructor(private readonly deps: OrderRunnerDeps) {}

  /** The order's result; runs it only the first time its id is seen. */
  run(order: Order): Promise<OrderResult> {
    const known = this.runs.get(order.id);
    if (known !== undefined) {
      this.deps.log.info({ node: this.deps.nodeName, orderId: order.id, kind: order.kind }, 'order redelivered; not run again');
      return known.then((result) => {
        this.outbox.set(order.id, result);
        return result;
      });
    }
    const running = this.execute(order).then((result) => {
      this.outbox.set(order.id, result);
      return result;
    });
    this.runs.set(order.id, running);
    return running;
  }

  /** Results the coordinator has not acknowledged yet, oldest first. */
  unreported(): OrderResult[] {
    return [...this.outbox.values()];
  }

  markReported(orderId: string): void {
    this.outbox.delete(orderId);
  }

  private async execute(order: Order): Promise<OrderResult> {
    const log = this.deps.log.child({ node: this.deps.nodeName, orderId: order.id, kind: order.kind });
    log.info('running order');
    const outcome = await this.outcomeOf(order).catch((e: unknown): OrderOutcome => ({
      outcome: 'failed',
      message: describeError(e).slice(0, 4000),
    }));
    log.info({ outcome: outcome.outcome, why: outcome.message }, 'order finished');
    const bootId = await this.deps.host.bootId();
    return { nodeName: this.deps.nodeName, podName: this.deps.podName, bootId, orderId: order.id, ...outcome };
  }

  private outcomeOf(order: Order): Promise<OrderOutcome> {
    switch (order.kind) {
      case 'reboot':
        return this.reboot(order);
      case 'validate':
        return this.deps.validate(order);
      case 'restore-cni-files':
        return this.restoreCniFiles();
      case 'cleanup':
        return this.cleanup(order);
    }
  }

  private async reboot(order: OrderOf<'reboot'>): Promise<OrderOutcome> {
    try {
      await rebootIfBootId(this.deps.host, order.ifBootId);
      return { outcome: 'succeeded', message: `reboot requested (was boot ${order.ifBootId})` };
    } catch (e) {
      if (isCniMigrateError(e) && e.code === 'PreconditionFailed') return { outcome: 'refused', message: e.message };
      throw e;
    }
  }

  private async restoreCniFiles(): Promise<OrderOutcome> {
    const report = await this.deps.host.restoreCniFiles();
    const restored = report.restored.length > 0 ? report.restored.join(', ') : 'nothing to rename';
    return { outcome: 'succeeded', message: `removed Cilium conf: ${report.removedCiliumConf}; restored: ${restored}` };
  }

  private async cleanup(order: OrderOf<'cleanup'>): Promise<OrderOutcome> {
    const report = await this.deps.host.cleanup({ dryRun: order.dryRun, force: this.deps.forceCleanup });
    const clean = order.dryRun || report.leftover === 0;
    return {
      outcome: clean ? 'succeeded' : 'failed',
      message: (clean ? report.notes.join('; ') : `${report.leftover} Calico items left: ${report.notes.join('; ')}`).slice(0, 4000),
      cleanup: { removed: report.removed, leftover: report.leftover, leftByKind: report.leftByKind, durationMs: report.durationMs },
    };
  }
}
