/**
 * What the agent tells the coordinator about its node: the registration, and each heartbeat (boot id,
 * kernel, iptables backends in use, Calico leftovers). Whether the node's Cilium pod is Ready is the
 * coordinator's own observation (its watch of the Cilium pods), not the agent's.
 */
import type { Heartbeat, RegisterRequest } from '../../shared/api.js';
import type { NodeHost } from '../host/node-host.js';

export interface AgentIdentity {
  nodeName: string;
  podName: string;
  agentVersion: string;
}

export async function describeRegistration(host: NodeHost, id: AgentIdentity): Promise<RegisterRequest> {
  const [bootId, kernel] = await Promise.all([host.bootId(), host.kernel()]);
  return { nodeName: id.nodeName, podName: id.podName, bootId, kernel, agentVersion: id.agentVersion };
}

export async function describeHeartbeat(host: NodeHost, id: AgentIdentity): Promise<Heartbeat> {
  const [bootId, kernel, iptablesBackends, calicoLeftovers] = await Promise.all([
    host.bootId(),
    host.kernel(),
    host.iptablesBackends(),
    host.calicoLeftovers(),
  ]);
  return { nodeName: id.nodeName, podName: id.podName, bootId, kernel, iptablesBackends, calicoLeftovers };
}
