/**
 * The engine's side of the second rolling reboot: what it observes of the nodes in the reboot round (from
 * the watch caches and this engine's drains) and the node actions (cordon, the per-node rollout's drain,
 * uncordon). The reboot itself is the agent's guarded `reboot` order, derived from the recorded round.
 */
import { nodeLogger, type Logger } from '../../shared/logger.js';
import type { DrainOptions } from '../core/drain-plan.js';
import { ciliumPodOn } from '../core/observe.js';
import type { ObservedNode, ObservedPod } from '../core/observed-objects.js';
import type { StageAction } from '../core/stages/index.js';
import type { RebootObservation } from '../core/stages/reboots.js';
import type { StageRecord } from '../core/stages/record.js';
import type { Cluster } from './cluster.js';
import { drainNode } from './drain.js';

type NodeAction = Extract<StageAction, { kind: 'cordonNode' | 'drainNode' | 'uncordonNode' }>;

const isReady = (conds: { type: string; status: string }[] | undefined): boolean => conds?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

function nodeSeen(node: ObservedNode | undefined, name: string, pods: readonly ObservedPod[]): Omit<RebootObservation, 'drain'> {
  const status = node?.status ?? {};
  const ready = isReady(status.conditions) && ciliumPodOn(name, pods)?.ready === true;
  return { unschedulable: node?.spec?.unschedulable === true, bootId: status.nodeInfo?.bootID || undefined, ready };
}

export class StageReboots {
  /** Drain outcomes by the node's reboot order id (a drain runs once per entry in this engine). */
  private readonly drains = new Map<string, RebootObservation['drain']>();
  private readonly abort = new AbortController();

  constructor(
    private readonly d: { cluster: Cluster; log: Logger; now: () => Date; drainOptions: () => DrainOptions },
  ) {}

  stop(): void {
    this.abort.abort();
  }

  observe(r: StageRecord | undefined): Map<string, RebootObservation> {
    const out = new Map<string, RebootObservation>();
    if (r?.step !== 'RebootingNodes') return out;
    const pods = this.d.cluster.ciliumPods.list();
    for (const e of r.nodes) out.set(e.name, { ...nodeSeen(this.d.cluster.nodeCache.get(e.name), e.name, pods), drain: this.drains.get(e.orderId) });
    return out;
  }

  static handles(a: StageAction): a is NodeAction {
    return a.kind === 'cordonNode' || a.kind === 'drainNode' || a.kind === 'uncordonNode';
  }

  async execute(a: NodeAction): Promise<void> {
    const { cluster, log, now } = this.d;
    if (a.kind !== 'drainNode') {
      await cluster.nodes.patch(a.node, { unschedulable: a.kind === 'cordonNode' });
      return;
    }
    const signal = this.abort.signal;
    const deadline = new Date(a.deadline);
    const outcome = await drainNode(
      { pods: cluster.pods, pdbs: cluster.pdbs, log: nodeLogger(log, a.node, 'RebootNodes'), now },
      { node: a.node, opts: this.d.drainOptions(), deadline, signal },
    );
    if (!signal.aborted) this.drains.set(a.orderId, outcome);
  }
}
