/**
 * Faults a test or the demo can inject per simulated node. All default to off.
 */
import { z } from 'zod';

export const NodeFaultsSchema = z.strictObject({
  /** A reboot never finishes: the node stays NotReady. */
  neverReturns: z.boolean().default(false),
  /** The node's Cilium pod runs but never turns Ready. */
  ciliumNeverReady: z.boolean().default(false),
  /** Cluster DNS does not answer from this node. */
  dnsBroken: z.boolean().default(false),
  /** Pods on this node cannot reach, or be reached by, other pods. */
  podNetworkBroken: z.boolean().default(false),
  /** The API server is unreachable from pods on this node. */
  apiUnreachable: z.boolean().default(false),
});
export type NodeFaults = z.infer<typeof NodeFaultsSchema>;
export type NodeFaultsInput = z.input<typeof NodeFaultsSchema>;

export const noFaults = (): NodeFaults => NodeFaultsSchema.parse({});

/** The fault switches of every simulated node, changeable while the cluster runs. */
export class FaultBoard {
  private readonly byNode = new Map<string, NodeFaults>();
  constructor(private readonly defaults: NodeFaults = noFaults()) {}

  of(node: string): NodeFaults {
    return this.byNode.get(node) ?? this.defaults;
  }

  /** Set (merge) faults on one node; unknown keys are rejected. */
  set(node: string, faults: NodeFaultsInput): NodeFaults {
    const merged = NodeFaultsSchema.parse({ ...this.of(node), ...faults });
    this.byNode.set(node, merged);
    return merged;
  }

  clear(node: string): void {
    this.byNode.delete(node);
  }
}
