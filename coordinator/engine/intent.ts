/**
 * Records a node's decided step before anything acts on it: the annotation patch (and the phase label) on
 * the Node, with the step's cordon or label in the same patch (intent and effect land together), then
 * each transition's metric and log line, an Event for those a person reads, and a nudge to the agent's
 * long-poll.
 */
import { describeError } from '../../shared/errors.js';
import { nodeLogger, type Logger } from '../../shared/logger.js';
import { isNotable, type Advance } from '../core/advance.js';
import type { Transition } from '../core/decision.js';
import { CILIUM_MIGRATION_LABEL, CILIUM_MIGRATION_LABEL_VALUE } from '../../shared/names.js';
import { phaseLabelPatch, type NodeState } from '../core/node-state.js';
import type { NodePatch } from '../kube/nodes.js';
import type { Cluster } from './cluster.js';
import type { MigrationMetrics } from './metrics.js';
import type { NodeView } from './node-view.js';

export interface IntentDeps {
  cluster: Cluster;
  view: NodeView;
  log: Logger;
  now: () => Date;
  metrics: MigrationMetrics;
  /** A node's phase (and so its order) may have changed. */
  orderChanged: (node: string) => void;
}

/** The Node patch of a step: its annotations and phase label, and its cordon or label, together. */
function nodePatchOf(step: Advance): NodePatch {
  const { unschedulable, labeled } = step.effects;
  const labels: Record<string, string | null> = { ...phaseLabelPatch(step.patch).labels };
  if (labeled !== undefined) labels[CILIUM_MIGRATION_LABEL] = labeled ? CILIUM_MIGRATION_LABEL_VALUE : null;
  return {
    annotations: step.patch,
    ...(unschedulable !== undefined ? { unschedulable } : {}),
    ...(Object.keys(labels).length > 0 ? { labels } : {}),
  };
}

/** One patch: the intent and its effect together; then what each transition tells. */
export async function recordIntent(d: IntentDeps, before: NodeState, step: Advance): Promise<void> {
  const name = before.name;
  if (Object.keys(step.patch).length === 0 && Object.keys(step.effects).length === 0) return;
  d.view.wrote(await d.cluster.nodes.patch(name, nodePatchOf(step)));
  if (step.transitions.length === 0) return;
  const now = d.now();
  let since = before.phaseSince;
  for (const t of step.transitions) {
    d.metrics.transition(t.from, t.to, since ? (now.getTime() - since.getTime()) / 1000 : undefined);
    since = now;
    const log = nodeLogger(d.log, name, t.to);
    if (t.warning) log.warn({ from: t.from, attempt: step.state.attempt }, t.message);
    else log.info({ from: t.from, attempt: step.state.attempt }, t.message);
    if (isNotable(t)) emitEvent(d, name, t, log);
  }
  d.orderChanged(name);
}

function emitEvent(d: IntentDeps, name: string, t: Transition, log: Logger): void {
  const uid = d.view.get(name)?.metadata?.uid;
  d.cluster.events
    .emit({ node: name, nodeUid: uid, reason: `CNIMigration${t.to}`, message: t.message, warning: t.warning })
    .catch((e: unknown) => log.warn({ err: describeError(e) }, 'could not emit Event'));
}
