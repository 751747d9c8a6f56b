/**
 * The pure stage decision: (recorded stage, spec, cluster observations, now) → the record to write, then
 * the actions to carry out. The first stage starts once every node in scope is Done and the spec enables it;
 * a halted step waits for the operator's retry (a new attempt: new order ids, a fresh deadline); the request
 * names the attempt it retries, so once acted on it is spent (nothing to clear, nothing retried twice).
 */
import { enterStage, keep, update, type ClusterObservations, type StageDecision, type StageSettings, type StageSpec } from './decision.js';
import type { NodeRound, StageRecord } from './record.js';
import { stageOrderId, stepOf } from './steps.js';

export interface DecideStageInput {
  record: StageRecord | undefined;
  spec: StageSpec;
  obs: ClusterObservations;
  now: Date;
  settings: StageSettings;
}

/**
 * A node's entry in the retried attempt: done stays done; a reboot round's unfinished node resumes at its step
 * with a new order id, keeping whether it was cordoned before and the boot id its reboot may end (a node that
 * rebooted after the deadline is not rebooted again); any other unfinished node starts over.
 */
function retriedEntry(n: NodeRound, record: StageRecord, now: Date): NodeRound[] {
  if (n.state === 'Done') return [n];
  if (n.phase === undefined) return [];
  const { message: _dropped, ...rest } = n;
  return [{ ...rest, state: 'Running', since: now.toISOString(), orderId: stageOrderId(n.name, { attempt: record.attempt + 1, step: record.step }) }];
}

function retry(record: StageRecord, now: Date): StageDecision {
  const { haltReason: _cleared, ...rest } = record;
  return {
    ...update(rest, {
      attempt: record.attempt + 1,
      since: now.toISOString(),
      nodes: record.nodes.flatMap((n) => retriedEntry(n, record, now)),
    }),
    transition: { from: `${record.stage}/${record.step} (halted)`, to: `${record.stage}/${record.step}`, message: 'retry requested', warning: false },
  };
}

export function decideStage(i: DecideStageInput): StageDecision {
  const { record, spec, obs, now } = i;
  if (!record) {
    if (!obs.nodesMigrated || !spec.promote) return keep(undefined);
    return enterStage(undefined, { stage: 'Promote', step: 'AwaitingPromotion' }, now, 'every node migrated; promoting Cilium');
  }
  if (record.haltReason !== undefined) return obs.retryRequested ? retry(record, now) : keep(record, [], record.haltReason);
  return stepOf({ record, spec, obs, now, settings: i.settings });
}

export { stageOrderId, stageEnabled } from './steps.js';
export type { ClusterObservations, StageAction, StageDecision, StageSettings, StageSpec } from './decision.js';
