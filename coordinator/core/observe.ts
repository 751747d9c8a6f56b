/**
 * Turns what the caches hold about one node (its Node object, the Cilium pods, its agent's latest
 * report, this engine's drain outcome, the grants) into the core's Observations. Pure.
 */
import { CILIUM_MIGRATION_LABEL, CILIUM_MIGRATION_LABEL_VALUE } from '../../shared/names.js';
import type { OrderDelivery } from './node-state.js';
import type { CiliumPodObservation, DrainOutcome, Observations } from './decision.js';
import type { ObservedNode, ObservedPod } from './observed-objects.js';

export interface AgentReport {
  bootId: string;
  /** When this coordinator last heard from the agent (registration, heartbeat or order poll). */
  heardAt?: Date;
  /** The step order this coordinator handed to the agent, and when. */
  delivered?: OrderDelivery;
}

export interface ObservationSources {
  node: ObservedNode | undefined;
  ciliumPods: readonly ObservedPod[];
  granted: boolean;
  drain: DrainOutcome | undefined;
  agent: AgentReport | undefined;
  peerCandidates: string[];
  probeBreach?: string | undefined;
}

const condTrue = (conds: { type: string; status: string }[] | undefined, type: string): boolean =>
  conds?.some((c) => c.type === type && c.status === 'True') ?? false;

/** The node's Cilium pod: the live one (not being deleted) if any, else the newest. */
export function ciliumPodOn(node: string, pods: readonly ObservedPod[]): CiliumPodObservation | undefined {
  const mine = pods.filter((p) => p.spec?.nodeName === node && p.metadata?.uid);
  const live = mine.filter((p) => !p.metadata?.deletionTimestamp);
  const pick = (live.length > 0 ? live : mine).at(-1);
  if (!pick) return undefined;
  return {
    uid: pick.metadata?.uid ?? '',
    ready: !pick.metadata?.deletionTimestamp && condTrue(pick.status?.conditions, 'Ready'),
  };
}

const bootIdOf = (src: ObservationSources): string | undefined =>
  src.node?.status?.nodeInfo?.bootID || src.agent?.bootId || undefined;

const labeledOf = (node: ObservedNode | undefined): boolean =>
  node?.metadata?.labels?.[CILIUM_MIGRATION_LABEL] === CILIUM_MIGRATION_LABEL_VALUE;

export function observe(name: string, src: ObservationSources): Observations {
  return {
    granted: src.granted,
    unschedulable: src.node?.spec?.unschedulable === true,
    labeled: labeledOf(src.node),
    nodeReady: condTrue(src.node?.status?.conditions, 'Ready'),
    bootId: bootIdOf(src),
    ciliumPod: ciliumPodOn(name, src.ciliumPods),
    drain: src.drain,
    peerCandidates: src.peerCandidates,
    ...(src.agent?.heardAt ? { agentHeardAt: src.agent.heardAt } : {}),
    ...(src.agent?.delivered ? { orderDelivered: src.agent.delivered } : {}),
    probeBreach: src.probeBreach,
  };
}
