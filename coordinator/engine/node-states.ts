/**
 * Each node's recorded state as a pass reads it: the freshest copy of its Node (NodeView), with the order
 * result on its way to the Node overlaid (PendingResults), so a pass decides on the result before it is
 * written.
 */
import { readNodeState, type NodeState } from '../core/node-state.js';
import type { NodeTimeline } from '../core/probe/classify.js';
import type { NodeView } from './node-view.js';
import type { PendingResults } from './results.js';

export class NodeStates {
  private readonly parsed = new WeakMap<Record<string, string>, NodeState>();
  private timelineCache: { version: number; map: ReadonlyMap<string, NodeTimeline> } | undefined;

  constructor(
    private readonly view: NodeView,
    private readonly results: Pick<PendingResults, 'overlay'>,
  ) {}

  stateOf(node: string): NodeState {
    const annotations = this.view.get(node)?.metadata?.annotations;
    const overlaid = this.results.overlay(node, annotations);
    if (overlaid !== annotations || annotations === undefined) return readNodeState(node, overlaid);
    // The watch hands out the same object until the Node changes: each is parsed once, not once per pass.
    let state = this.parsed.get(annotations);
    if (state?.name !== node) {
      state = readNodeState(node, annotations);
      this.parsed.set(annotations, state);
    }
    return state;
  }

  /**
   * Every node's recorded migration times (the probe sorts each report's samples by them). Built again only
   * when a Node changed (the probe asks once per report: a thousand times a second at 1,000 nodes); the
   * result on its way to a Node is not a time, so the overlay does not bear on them.
   */
  timelines(): ReadonlyMap<string, NodeTimeline> {
    const version = this.view.changes();
    if (this.timelineCache?.version !== version) this.timelineCache = { version, map: new Map(this.view.names().map((n) => [n, this.stateOf(n)])) };
    return this.timelineCache.map;
  }
}
