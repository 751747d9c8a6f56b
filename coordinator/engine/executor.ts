/**
 * Carries out the core's actions against the cluster. Each action runs at most once per (node, attempt,
 * phase) in this engine; a failed one is retried at the next reconcile after a short backoff. Every
 * completion wakes the controller.
 */
import type { V1Node } from '@kubernetes/client-node';
import type { ObservedPod } from '../core/observed-objects.js';
import { describeError } from '../../shared/errors.js';
import { nodeLogger, type Logger } from '../../shared/logger.js';
import { CILIUM_MIGRATION_LABEL, CILIUM_MIGRATION_LABEL_VALUE, NodeAnnotation } from '../../shared/names.js';
import type { Action, DrainOutcome } from '../core/decision.js';
import type { DrainOptions } from '../core/drain-plan.js';
import type { NodeState } from '../core/node-state.js';
import type { Cluster } from './cluster.js';
import { drainNode } from './drain.js';
import type { SlotGrants } from './grants.js';

export interface ExecutorDeps {
  cluster: Cluster;
  grants: SlotGrants;
  log: Logger;
  now: () => Date;
  drainOptions: () => DrainOptions;
  /** The API's reply to a node write (keeps the node view fresh). */
  wroteNode: (node: V1Node) => void;
  /** Something finished for this node: reconcile it. */
  wake: (node: string, afterMs?: number) => void;
}

const RETRY_AFTER_FAILURE_MS = 1000;

export class Executor {
  private readonly started = new Set<string>();
  private readonly drains = new Map<string, DrainOutcome>();
  private readonly abort = new AbortController();

  constructor(private readonly d: ExecutorDeps) {}

  drainOutcome(node: string, attempt: number): DrainOutcome | undefined {
    return this.drains.get(`${node}/${attempt}`);
  }

  run(state: NodeState, actions: readonly Action[]): void {
    for (const a of actions) {
      const key = `${state.name}/${state.attempt}/${state.phase}/${a.kind}`;
      if (this.started.has(key) || this.abort.signal.aborted) continue;
      this.started.add(key);
      const log = nodeLogger(this.d.log, state.name, state.phase);
      this.execute(state, a).then(
        () => this.d.wake(state.name),
        (e: unknown) => {
          log.warn({ action: a.kind, err: describeError(e) }, 'action failed; will retry');
          this.started.delete(key);
          this.d.wake(state.name, RETRY_AFTER_FAILURE_MS);
        },
      );
    }
  }

  stop(): void {
    this.abort.abort();
  }

  private async patchNode(node: string, patch: Parameters<Cluster['nodes']['patch']>[1]): Promise<void> {
    this.d.wroteNode(await this.d.cluster.nodes.patch(node, patch));
  }

  private async execute(s: NodeState, a: Action): Promise<void> {
    const labelValue = a.kind === 'label' ? CILIUM_MIGRATION_LABEL_VALUE : null;
    switch (a.kind) {
      case 'cordon':
      case 'uncordon':
        return this.patchNode(s.name, { unschedulable: a.kind === 'cordon' });
      case 'label':
      case 'unlabel':
        return this.patchNode(s.name, { labels: { [CILIUM_MIGRATION_LABEL]: labelValue } });
      case 'clearRequest':
        return this.patchNode(s.name, { annotations: { [NodeAnnotation.request]: null } });
      case 'releaseGrant':
        return this.d.grants.release(s.name);
      case 'restartCilium':
        return this.restartCilium(a.uid);
      case 'drain':
        return this.drain(s, a.deadline);
    }
  }

  /** Restart Cilium on the node: delete its Cilium pod (the replacement reads the node's CiliumNodeConfig). */
  private async restartCilium(uid: string): Promise<void> {
    const pod: ObservedPod | undefined = this.d.cluster.ciliumPods.list().find((p) => p.metadata?.uid === uid);
    if (!pod) return;
    await this.d.cluster.pods.deleteIfUid(
      { namespace: pod.metadata?.namespace ?? '', name: pod.metadata?.name ?? '' },
      uid,
    );
  }

  private async drain(s: NodeState, deadline: Date): Promise<void> {
    const { cluster, log, now } = this.d;
    const outcome = await drainNode(
      { pods: cluster.pods, pdbs: cluster.pdbs, log: nodeLogger(log, s.name, s.phase), now },
      { node: s.name, opts: this.d.drainOptions(), deadline, signal: this.abort.signal },
    );
    if (!this.abort.signal.aborted) this.drains.set(`${s.name}/${s.attempt}`, outcome);
  }
}
