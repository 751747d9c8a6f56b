/**
 * What the rollout decision reads of every node, kept up to date one node at a time: a node's change
 * costs O(1), and the next pending node in migration order is found in amortised O(1) (a cursor that
 * only moves past nodes that started; a node that becomes pending again before it moves it back).
 * Kept beside it: the started nodes that want a grant, the nodes in flight (in all and per zone), the
 * halted nodes, how many in scope started, and how many workers in scope are not finished. Pure data,
 * no I/O: the engine feeds it each node it reads; `decideRollout` builds one from a list of nodes.
 */
import { isInFlight, isTerminal } from '../../shared/phases.js';
import { compareNatural } from '../../shared/natural-order.js';
import type { NodeState } from './node-state.js';
import { wantsGrant } from './transition.js';

/** The rollout's view of one node (as `RolloutNode` in rollout.ts). */
export interface IndexedNode {
  name: string;
  controlPlane: boolean;
  /** The node's zone label; nodes without one share one zone. */
  zone: string | undefined;
  state: NodeState;
  /** Selected by the Migration. A node out of scope that already started still finishes. */
  inScope: boolean;
}

export const UNZONED = '';

const haltedBy = (s: NodeState): boolean => s.haltReason !== undefined && (s.phase === 'Halted' || s.phase === 'RolledBack');
const urgentOf = (s: NodeState): boolean => s.phase !== 'Pending' && wantsGrant(s);
const unfinishedWorker = (n: IndexedNode): boolean => n.inScope && !n.controlPlane && !isTerminal(n.state.phase);
const startedInScope = (n: IndexedNode): boolean => n.inScope && n.state.phase !== 'Pending';

export class RolloutIndex {
  private readonly nodes = new Map<string, IndexedNode>();
  private order: readonly string[] = [];
  private rank = new Map<string, number>();
  /** Every node of `order` before it has started (is not Pending). */
  private cursor = 0;
  private readonly urgentSet = new Set<string>();
  /** `urgent()` as last sorted, until the set changes (a pass asks for it every time). */
  private urgentSorted: readonly string[] | undefined;
  private readonly inFlightSet = new Set<string>();
  private readonly haltedSet = new Set<string>();
  private readonly zoneCounts = new Map<string, number>();
  private started = 0;
  private unfinishedWorkers = 0;
  private notDone = 0;

  /** An index of `nodes` with `order` (the nodes in scope in migration order). */
  static of(nodes: readonly IndexedNode[], order: readonly string[]): RolloutIndex {
    const index = new RolloutIndex();
    index.setOrder(order);
    nodes.forEach((n) => index.put(n));
    return index;
  }

  /** The nodes in scope in migration order (changes when the scope, a node's kind or the ordering options change). */
  setOrder(order: readonly string[]): void {
    if (order === this.order) return;
    this.order = order;
    this.rank = new Map(order.map((n, i) => [n, i]));
    this.cursor = 0;
  }

  /** The node as last put (undefined when unknown). */
  get(name: string): IndexedNode | undefined {
    return this.nodes.get(name);
  }

  /** Records a node's current view; O(1). */
  put(node: IndexedNode): void {
    const before = this.nodes.get(node.name);
    if (before === node) return;
    const wasUrgent = this.urgentSet.has(node.name);
    if (before) this.count(before, -1);
    this.nodes.set(node.name, node);
    this.count(node, 1);
    if (this.urgentSet.has(node.name) !== wasUrgent) this.urgentSorted = undefined;
    const r = this.rank.get(node.name);
    if (node.state.phase === 'Pending' && r !== undefined && r < this.cursor) this.cursor = r;
  }

  /** Forgets a node (it left the cluster). */
  remove(name: string): void {
    const before = this.nodes.get(name);
    if (!before) return;
    if (this.urgentSet.has(name)) this.urgentSorted = undefined;
    this.count(before, -1);
    this.nodes.delete(name);
  }

  private count(n: IndexedNode, by: 1 | -1): void {
    const s = n.state;
    const toggle = (set: Set<string>, on: boolean): void => {
      if (!on) return;
      if (by > 0) set.add(n.name);
      else set.delete(n.name);
    };
    toggle(this.urgentSet, urgentOf(s));
    toggle(this.inFlightSet, isInFlight(s.phase));
    toggle(this.haltedSet, haltedBy(s));
    if (isInFlight(s.phase)) {
      const zone = n.zone ?? UNZONED;
      this.zoneCounts.set(zone, (this.zoneCounts.get(zone) ?? 0) + by);
    }
    if (startedInScope(n)) this.started += by;
    if (unfinishedWorker(n)) this.unfinishedWorkers += by;
    if (n.inScope && s.phase !== 'Done') this.notDone += by;
  }

  private isPending(name: string): boolean {
    return this.nodes.get(name)?.state.phase === 'Pending';
  }

  /**
   * The pending nodes in scope in the order they may be granted, lazily: control-plane nodes only once
   * every worker in scope is finished. Moves the cursor past the nodes that started.
   */
  *pendingInOrder(): Generator<string> {
    while (this.cursor < this.order.length && !this.isPending(this.order[this.cursor] ?? '')) this.cursor += 1;
    for (let i = this.cursor; i < this.order.length; i++) {
      const name = this.order[i] ?? '';
      if (!this.isPending(name)) continue;
      if (this.nodes.get(name)?.controlPlane === true && this.unfinishedWorkers > 0) continue;
      yield name;
    }
  }

  /** Started nodes (in flight, or asking for a retry or rollback) that want a grant, in name order. */
  urgent(): readonly string[] {
    this.urgentSorted ??= [...this.urgentSet].sort(compareNatural);
    return this.urgentSorted;
  }

  /** The states of the nodes in flight (started, not finished). */
  inFlight(): NodeState[] {
    return [...this.inFlightSet].flatMap((n) => this.nodes.get(n)?.state ?? []);
  }

  inFlightCount(): number {
    return this.inFlightSet.size;
  }

  /** Nodes in flight per zone. */
  inFlightByZone(): Map<string, number> {
    return new Map(this.zoneCounts);
  }

  /** The halted node the rollout stops on (first by name), if any. */
  halted(): NodeState | undefined {
    const first = [...this.haltedSet].sort(compareNatural)[0];
    return first === undefined ? undefined : this.nodes.get(first)?.state;
  }

  /** Nodes in scope that have started. */
  startedInScope(): number {
    return this.started;
  }

  /** Every node in scope is Done (none in scope: false). */
  allInScopeDone(): boolean {
    return this.order.length > 0 && this.notDone === 0;
  }
}
