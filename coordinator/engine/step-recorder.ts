/**
 * Records a node's decided step together with the order result that caused it: the result rides in the
 * same Node patch as the transition (recordIntent), and the agents waiting on that result are answered once
 * the patch landed. A node whose turn failed, or a leader that stops, fails them: they report it again.
 */
import { CniMigrateError } from '../../shared/errors.js';
import { NodeAnnotation } from '../../shared/names.js';
import type { Advance } from '../core/advance.js';
import type { NodeState } from '../core/node-state.js';
import { recordIntent, type IntentDeps } from './intent.js';
import { PendingResults } from './results.js';

export class StepRecorder {
  /** The results on their way to the Node (the node states read them overlaid). */
  readonly results = new PendingResults();

  constructor(
    private readonly intent: IntentDeps,
    /** Reconcile the node whose result came. */
    private readonly wake: (node: string) => void,
  ) {}

  /**
   * Records an agent's order result with the transition it causes (one Node patch): resolves once that
   * patch landed, so the agent is answered only when its result is in Kubernetes.
   */
  recordResult(node: string, orderId: string, recorded: string): Promise<void> {
    const written = this.results.add(node, orderId, recorded);
    this.wake(node);
    return written;
  }

  /** The patch of the node's result still to be written (empty when none), read before its step is decided. */
  resultOf(node: string): Record<string, string> {
    return this.results.patchOf(node);
  }

  /** One Node patch: the step's intent and effect, with `result` (the node's result when its step was decided). */
  async record(before: NodeState, step: Advance, result: Record<string, string>): Promise<void> {
    await recordIntent(this.intent, before, { ...step, patch: { ...result, ...step.patch } });
    this.results.written(before.name, result[NodeAnnotation.lastResult]);
  }

  /** The node's turn failed: the agents waiting on its result report it again. */
  failed(node: string, error: unknown): void {
    this.results.written(node, undefined, error);
  }

  /** This leader stops: every waiting agent reports again (to the next leader). */
  stop(): void {
    this.results.failAll(new CniMigrateError('Conflict', 'this coordinator stopped leading: report the result again'));
  }
}
