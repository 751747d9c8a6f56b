/**
 * The seam between the agent API (gate) and the migration engine. The gate authenticates and validates;
 * the engine decides. Orders are derived from the state recorded on the Node, so they survive restarts.
 */
import type { Heartbeat, Order, OrderResult, RegisterRequest } from '../shared/api.js';
import type { ProbeAnswer, ProbeReport } from '../shared/probe.js';

export interface AgentDirectory {
  /** An authenticated agent (already proven to run on `req.nodeName`) registered. */
  register(req: RegisterRequest): Promise<void>;
  heartbeat(hb: Heartbeat): Promise<void>;
  /**
   * The node's current order, if any. With `after` set to the id the agent last saw, waits (up to the
   * signal) for a different order, then returns it, or null when the wait ends with nothing new.
   */
  order(nodeName: string, after: string | undefined, signal: AbortSignal): Promise<Order | null>;
  /** A result for an order. false when the order id is not the node's current order (stale: ignored). */
  result(res: OrderResult): Promise<boolean>;
  /** How many nodes the coordinator knows: the agents' pace stretches with it (core/agent-pace.ts). */
  nodeCount?(): number;
}

/** The seam between the probe API and the engine: an authenticated probe pod's report, answered with its peers. */
export interface ProbeDirectory {
  probeReport(report: ProbeReport): Promise<ProbeAnswer>;
}
