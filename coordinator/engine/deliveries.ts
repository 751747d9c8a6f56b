/**
 * When each step's order was first handed to the node's agent. Kept in memory (the reason of a halt reads
 * it, and a halt records it), and written to the Node only when the step is still waiting on that order
 * half-way to its deadline: a reboot or validation that completes in time costs no extra request, and a
 * coordinator that dies during a slow step leaves the delivery recorded for its successor.
 */
import type { Order } from '../../shared/api.js';
import { describeError } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';
import { NodeAnnotation } from '../../shared/names.js';
import type { AgentReport } from '../core/observe.js';
import { formatOrderDelivery, type NodeState, type OrderDelivery } from '../core/node-state.js';
import { orderIdFor } from '../core/orders.js';
import type { CoordinatorConfig } from '../../shared/config.js';
import { timeoutFor } from '../core/steps.js';
import type { Cluster } from './cluster.js';
import { settingsFor } from './rollout.js';
import type { NodeView } from './node-view.js';

/** The least a step waits on a delivered order before the delivery is written to the Node. */
const RECORD_DELIVERY_AFTER_MIN_MS = 10_000;

export interface DeliveryDeps {
  cluster: Cluster;
  config: CoordinatorConfig;
  view: NodeView;
  stateOf(node: string): NodeState;
  /** The agents' reports: a delivery is remembered on the node's report. */
  agents: Map<string, AgentReport>;
  now: () => Date;
  log: Logger;
}

const currentOrderId = (s: NodeState): string => orderIdFor(s.name, s.attempt, s.phase);

/** A reboot that went ahead (a new boot id) no longer waits on its order: the node, still recorded as Rebooting, waits to be Ready. */
const rebootWentAhead = (s: NodeState, bootId: string | undefined): boolean =>
  (s.phase === 'Rebooting' || s.phase === 'RollbackRebooting') && Boolean(bootId) && bootId !== s.bootIdBefore;

export class OrderDeliveries {
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(private readonly d: DeliveryDeps) {}

  /** The agent of `node` was just handed `order`: remember it, and record it on the Node if the step is still waiting later. */
  delivered(node: string, order: Order): void {
    const state = this.d.stateOf(node);
    const agent = this.d.agents.get(node);
    if (agent === undefined || order.id !== currentOrderId(state)) return;
    if (state.orderDelivered?.orderId === order.id || agent.delivered?.orderId === order.id) return;
    agent.delivered = { orderId: order.id, at: this.d.now() };
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.record(node, order.id);
    }, Math.max(RECORD_DELIVERY_AFTER_MIN_MS, timeoutFor(state.phase, settingsFor(this.d.config, undefined)) / 2));
    this.timers.add(timer);
  }

  stop(): void {
    this.timers.forEach((t) => clearTimeout(t));
    this.timers.clear();
  }

  /** The delivery of `orderId`, if the node's step still waits on that order and its delivery is not on the Node yet. */
  private unrecordedWait(node: string, orderId: string): OrderDelivery | undefined {
    const state = this.d.stateOf(node);
    const delivered = this.d.agents.get(node)?.delivered;
    if (delivered?.orderId !== orderId || currentOrderId(state) !== orderId || state.orderDelivered?.orderId === orderId) return undefined;
    return rebootWentAhead(state, this.bootIdOf(node)) ? undefined : delivered;
  }

  private bootIdOf(node: string): string | undefined {
    return this.d.view.get(node)?.status?.nodeInfo?.bootID;
  }

  private record(node: string, orderId: string): void {
    const delivered = this.unrecordedWait(node, orderId);
    if (delivered === undefined) return;
    const heard = this.d.agents.get(node)?.heardAt ?? delivered.at;
    const annotations = { [NodeAnnotation.orderDelivered]: formatOrderDelivery(delivered), [NodeAnnotation.agentSeen]: heard.toISOString() };
    this.d.cluster.nodes.patch(node, { annotations }).then(
      (written) => this.d.view.wrote(written),
      (e: unknown) => this.d.log.warn({ node, orderId, err: describeError(e) }, 'could not record the delivery of an order'),
    );
  }
}
