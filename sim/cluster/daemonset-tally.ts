/**
 * One DaemonSet's plan kept up to date node by node: which nodes should run its pod, each node's verdict and their
 * sums. An event about one node (a pod of the DaemonSet, the node's labels or taints) marks that node; the next plan
 * looks again at the marked nodes only, so a reconcile per pod event costs that node's pods, not the cluster's.
 * A new template or generation starts a new tally (every node is looked at again).
 */
import type { V1DaemonSet, V1DaemonSetStatus, V1Node, V1Pod, V1PodSpec } from '@kubernetes/client-node';
import { nodeVerdict, revisionOf, slotOf, type NodeVerdict, type OutdatedPod, type Revision } from './daemonset-node.js';
import { podFitsNode } from './placement.js';

export interface DaemonSetPlan {
  /** Nodes that get a new daemon pod. */
  createOn: string[];
  /** Names of pods to delete (gracefully). */
  deletePods: string[];
  status: V1DaemonSetStatus;
}

/** How many daemon pods may be unavailable at once during a rolling update. */
export function maxUnavailable(ds: V1DaemonSet, desired: number): number {
  const raw = ds.spec?.updateStrategy?.rollingUpdate?.maxUnavailable ?? 1;
  const value = typeof raw === 'number' ? raw : Math.ceil((desired * parseInt(raw, 10)) / 100);
  return Math.max(1, Number.isFinite(value) ? value : 1);
}

const nodeName = (node: V1Node): string => node.metadata?.name ?? '';
const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const templateSpec = (ds: V1DaemonSet): V1PodSpec => ds.spec?.template.spec ?? { containers: [] };

/** Sets the node's value, or removes the node when there is none. */
function keep<V>(map: Map<string, V>, node: string, value: V | undefined): void {
  if (value === undefined) map.delete(node);
  else map.set(node, value);
}

const outdated = (v: NodeVerdict | undefined): boolean => v?.outdated !== undefined;

/** The sums of the nodes' verdicts. */
class Sums {
  scheduled = 0;
  ready = 0;
  updated = 0;
  misscheduled = 0;
  /** Eligible nodes whose daemon is not available (the rolling update's spent budget). */
  unavailable = 0;
  readonly createOn = new Set<string>();
  readonly remove = new Map<string, string[]>();
  readonly outdated = new Map<string, OutdatedPod>();
  private outdatedOrder: string[] | undefined;

  /** The node's verdict changed from `before` to `after` (undefined: the node counts for nothing). */
  replace(node: string, before: NodeVerdict | undefined, after: NodeVerdict | undefined): void {
    if (before) this.count(before, -1);
    if (after) this.count(after, 1);
    if (after?.create) this.createOn.add(node);
    else this.createOn.delete(node);
    keep(this.remove, node, after && after.remove.length > 0 ? after.remove : undefined);
    keep(this.outdated, node, after?.outdated);
    if (outdated(before) !== outdated(after)) this.outdatedOrder = undefined;
  }

  private count(v: NodeVerdict, sign: 1 | -1): void {
    this.scheduled += sign * Number(v.scheduled);
    this.ready += sign * Number(v.ready);
    this.updated += sign * Number(v.updated);
    this.misscheduled += sign * Number(v.misscheduled);
    this.unavailable += sign * Number(v.eligible && !v.available);
  }

  /** The nodes running an outdated pod, by name (kept until the set changes: a rollout reads it once per event). */
  outdatedNodes(): readonly string[] {
    this.outdatedOrder ??= [...this.outdated.keys()].sort(byName);
    return this.outdatedOrder;
  }

}

export class DaemonSetTally {
  readonly revision: Revision;
  private readonly template: V1PodSpec;
  private readonly eligible = new Set<string>();
  private readonly verdicts = new Map<string, NodeVerdict>();
  private readonly dirty = new Set<string>();
  private readonly sums = new Sums();

  /** A tally for the DaemonSet as it is now, over every node; `podNodes` are the nodes where it has pods. */
  constructor(ds: V1DaemonSet, nodes: Iterable<V1Node>, podNodes: Iterable<string>) {
    this.revision = revisionOf(ds);
    this.template = templateSpec(ds);
    for (const node of nodes) this.nodeChanged(node);
    for (const node of podNodes) this.dirty.add(node);
  }

  /** Whether this tally still describes the DaemonSet (same template and generation). */
  describes(ds: V1DaemonSet): boolean {
    const rev = revisionOf(ds);
    return rev.hash === this.revision.hash && rev.generation === this.revision.generation;
  }

  /** A Node was added or changed; true when that changes whether it should run the daemon pod. */
  nodeChanged(node: V1Node): boolean {
    return this.setEligible(nodeName(node), podFitsNode(this.template, node));
  }

  /** A Node was deleted; true when it was one that should run the daemon pod. */
  nodeRemoved(name: string): boolean {
    return this.setEligible(name, false);
  }

  /** The DaemonSet's pods on this node changed (in the cache, or by a write still to show there). */
  podsChanged(node: string): void {
    if (node !== '') this.dirty.add(node);
  }

  /** The plan, after looking again at the nodes marked since the last one; `podsOn` gives the DaemonSet's pods on a node. */
  plan(ds: V1DaemonSet, podsOn: (node: string) => readonly V1Pod[]): DaemonSetPlan {
    for (const node of this.dirty) this.refresh(node, podsOn(node));
    this.dirty.clear();
    const removals = [...this.sums.remove.keys()].sort(byName).flatMap((n) => this.sums.remove.get(n) ?? []);
    const deletePods = [...new Set([...removals, ...this.rollingUpdateVictims(ds)])];
    return { createOn: [...this.sums.createOn].sort(byName), deletePods, status: this.status(ds) };
  }

  private setEligible(name: string, fits: boolean): boolean {
    if (this.eligible.has(name) === fits) return false;
    if (fits) this.eligible.add(name);
    else this.eligible.delete(name);
    this.dirty.add(name);
    return true;
  }

  private refresh(node: string, pods: readonly V1Pod[]): void {
    const after = nodeVerdict(this.eligible.has(node), slotOf(pods), this.revision);
    this.sums.replace(node, this.verdicts.get(node), after);
    if (after) this.verdicts.set(node, after);
    else this.verdicts.delete(node);
  }

  /** Old pods to replace now: unready old pods always, ready old pods while the unavailability budget lasts. */
  private rollingUpdateVictims(ds: V1DaemonSet): string[] {
    if (ds.spec?.updateStrategy?.type === 'OnDelete' || this.sums.outdated.size === 0) return [];
    let budget = maxUnavailable(ds, this.eligible.size) - this.sums.unavailable;
    const victims: string[] = [];
    for (const node of this.sums.outdatedNodes()) {
      const old = this.sums.outdated.get(node);
      if (!old) continue;
      if (!old.ready) victims.push(old.pod);
      else if (budget > 0) {
        victims.push(old.pod);
        budget--;
      }
    }
    return victims;
  }

  /** Status as the real controller writes it: zero updated/available/unavailable counts are omitted. */
  private status(ds: V1DaemonSet): V1DaemonSetStatus {
    const { scheduled, ready, updated, misscheduled } = this.sums;
    const desired = this.eligible.size;
    const status: V1DaemonSetStatus = {
      currentNumberScheduled: scheduled,
      numberMisscheduled: misscheduled,
      desiredNumberScheduled: desired,
      numberReady: ready,
      observedGeneration: ds.metadata?.generation ?? 1,
    };
    if (updated > 0) status.updatedNumberScheduled = updated;
    if (ready > 0) status.numberAvailable = ready;
    if (desired - ready > 0) status.numberUnavailable = desired - ready;
    return status;
  }
}
