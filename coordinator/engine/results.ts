/**
 * Order results on their way to the Node: an agent's result is written in the same Node patch as the
 * transition it causes (the validation result with Validating → Uncordoning → Done), not in a patch of its
 * own. The agent's report is answered only once that patch landed, so a result the coordinator accepted
 * is in Kubernetes; a coordinator that dies first never answered, and the agent reports it again. Also the
 * text of that `last-result` annotation.
 */
import type { OrderResult } from '../../shared/api.js';
import { NodeAnnotation } from '../../shared/names.js';

const RESULT_MESSAGE_MAX = 1000;

/** The agent's message with each failed check it does not already name, cut to the annotation's budget. */
function describeResult(res: OrderResult): string {
  const failed = (res.checks?.results ?? [])
    .filter((c) => !c.ok)
    .map((c) => `${c.check} ${c.target}: ${c.detail}`)
    .filter((line) => !res.message.includes(line));
  return [res.message, ...failed].filter((s) => s !== '').join('; ').slice(0, RESULT_MESSAGE_MAX);
}

/** The `last-result` annotation of an order result. */
export function recordedResult(res: OrderResult): string {
  const c = res.cleanup;
  const counts = c ? { found: c.removed, left: c.leftover, ...(c.leftByKind ? { leftByKind: c.leftByKind } : {}) } : {};
  return JSON.stringify({ orderId: res.orderId, outcome: res.outcome, message: describeResult(res), ...counts });
}

interface Waiting {
  orderId: string;
  /** The `last-result` annotation to write. */
  recorded: string;
  settle: { resolve: () => void; reject: (e: unknown) => void }[];
}

export class PendingResults {
  private readonly byNode = new Map<string, Waiting>();

  /** Resolves once `recorded` is on the Node (rejects when the write failed or this leader stopped). */
  add(node: string, orderId: string, recorded: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const current = this.byNode.get(node);
      if (current?.orderId === orderId) {
        current.settle.push({ resolve, reject });
        return;
      }
      current?.settle.forEach((s) => s.resolve());
      this.byNode.set(node, { orderId, recorded, settle: [{ resolve, reject }] });
    });
  }

  /** The node's annotations as they will be once its pending result is written. */
  overlay(node: string, annotations: Record<string, string> | undefined): Record<string, string> | undefined {
    const w = this.byNode.get(node);
    return w ? { ...annotations, [NodeAnnotation.lastResult]: w.recorded } : annotations;
  }

  /** The annotation patch that writes the node's pending result (empty when none). */
  patchOf(node: string): Record<string, string> {
    const w = this.byNode.get(node);
    return w ? { [NodeAnnotation.lastResult]: w.recorded } : {};
  }

  /** The patch carrying `recorded` landed (or failed): answer the agents waiting for it. */
  written(node: string, recorded: string | null | undefined, error?: unknown): void {
    const w = this.byNode.get(node);
    if (!w || (error === undefined && w.recorded !== recorded)) return;
    this.byNode.delete(node);
    for (const s of w.settle) {
      if (error === undefined) s.resolve();
      else s.reject(error);
    }
  }

  /** This leader stops: every waiting agent reports again (to the next leader). */
  failAll(error: unknown): void {
    for (const node of [...this.byNode.keys()]) this.written(node, undefined, error);
  }
}
