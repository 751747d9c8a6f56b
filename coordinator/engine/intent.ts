/**
 * Records a node's decided step before anything acts on it: the annotation patch (and the phase label) on
 * the Node (intent first), then the transition's metric, log line and Event, and a nudge to the agent's long-poll.
 */
import { describeError } from '../../shared/errors.js';
import { nodeLogger, type Logger } from '../../shared/logger.js';
import type { Decision } from '../core/decision.js';
import { phaseLabelPatch, type NodeState } from '../core/node-state.js';
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

export async function recordIntent(d: IntentDeps, before: NodeState, decision: Decision): Promise<void> {
  const name = before.name;
  if (Object.keys(decision.patch).length === 0) return;
  d.view.wrote(await d.cluster.nodes.patch(name, { annotations: decision.patch, ...phaseLabelPatch(decision.patch) }));
  const t = decision.transition;
  if (!t) return;
  const now = d.now();
  const seconds = before.phaseSince ? (now.getTime() - before.phaseSince.getTime()) / 1000 : undefined;
  d.metrics.transition(t.from, t.to, seconds);
  const log = nodeLogger(d.log, name, t.to);
  if (t.warning) log.warn({ from: t.from, attempt: decision.state.attempt }, t.message);
  else log.info({ from: t.from, attempt: decision.state.attempt }, t.message);
  const uid = d.view.get(name)?.metadata?.uid;
  d.cluster.events
    .emit({ node: name, nodeUid: uid, reason: `CNIMigration${t.to}`, message: t.message, warning: t.warning })
    .catch((e: unknown) => log.warn({ err: describeError(e) }, 'could not emit Event'));
  d.orderChanged(name);
}
