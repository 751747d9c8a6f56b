/**
 * Records on the Node when its current order was first handed to its agent, with when the agent was heard
 * from (one merge patch per order, never per heartbeat), so a halt says whether the order ever reached the
 * agent, even when the coordinator that delivered it has died since.
 */
import type { Order } from '../../shared/api.js';
import { describeError } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';
import { NodeAnnotation } from '../../shared/names.js';
import { formatOrderDelivery, type NodeState } from '../core/node-state.js';
import { orderIdFor } from '../core/orders.js';
import type { Cluster } from './cluster.js';
import type { NodeView } from './node-view.js';

export interface DeliveryDeps {
  cluster: Cluster;
  view: NodeView;
  stateOf(node: string): NodeState;
  now: () => Date;
  log: Logger;
}

export class OrderDeliveries {
  /** Orders whose delivery this engine wrote (or is writing). */
  private readonly recorded = new Set<string>();

  constructor(private readonly d: DeliveryDeps) {}

  /** The agent of `node` was just handed `order`: record it, unless already recorded or not a step's order. */
  delivered(node: string, order: Order): void {
    const state = this.d.stateOf(node);
    if (order.id !== orderIdFor(state.name, state.attempt, state.phase)) return;
    if (state.orderDelivered?.orderId === order.id || this.recorded.has(order.id)) return;
    this.recorded.add(order.id);
    const at = this.d.now();
    const annotations = {
      [NodeAnnotation.orderDelivered]: formatOrderDelivery({ orderId: order.id, at }),
      [NodeAnnotation.agentSeen]: at.toISOString(),
    };
    this.d.cluster.nodes.patch(node, { annotations }).then(
      (written) => this.d.view.wrote(written),
      (e: unknown) => {
        this.recorded.delete(order.id);
        this.d.log.warn({ node, orderId: order.id, err: describeError(e) }, 'could not record the delivery of an order');
      },
    );
  }
}
