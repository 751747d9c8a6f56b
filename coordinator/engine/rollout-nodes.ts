/**
 * The rollout's view of each node as the pure core takes it (summary, recorded state, in scope), the same object
 * from pass to pass while none of the three changed: a pass over a thousand settled nodes allocates nothing for them.
 */
import type { NodeState } from '../core/node-state.js';
import type { RolloutNode } from '../core/rollout.js';
import type { summaryOf } from './rollout.js';

type Summary = ReturnType<typeof summaryOf>;

export class RolloutNodes {
  private readonly last = new WeakMap<Summary, RolloutNode>();

  of(summary: Summary, state: NodeState, inScope: boolean): RolloutNode {
    const before = this.last.get(summary);
    if (before?.state === state && before.inScope === inScope) return before;
    const node: RolloutNode = { ...summary, state, inScope };
    this.last.set(summary, node);
    return node;
  }
}
