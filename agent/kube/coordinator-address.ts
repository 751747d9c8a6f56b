/**
 * Where the coordinator's address is published: the leader Lease's address annotation and the coordinator
 * Service's Endpoints (read without cluster DNS).
 */
import { CoordinationV1Api, CoreV1Api, type KubeConfig, type V1Endpoints } from '@kubernetes/client-node';
import { COORDINATOR_ADDRESS_ANNOTATION, LEADER_LEASE_NAME } from '../../shared/names.js';
import type { CoordinatorAddressSources } from '../loop/locate-coordinator.js';

/** The first ready address and the named (or first) port of an Endpoints object, as host:port. */
export function endpointAddress(ep: V1Endpoints, portName = 'http'): string | undefined {
  const found = (ep.subsets ?? [])
    .map((subset) => ({
      ip: subset.addresses?.[0]?.ip,
      port: (subset.ports ?? []).find((p) => p.name === portName) ?? subset.ports?.[0],
    }))
    .find((c) => c.ip !== undefined && c.port !== undefined);
  return found === undefined ? undefined : `${found.ip}:${found.port?.port}`;
}

export function kubeAddressSources(kc: KubeConfig, namespace: string, serviceName: string): CoordinatorAddressSources {
  const leases = kc.makeApiClient(CoordinationV1Api);
  const core = kc.makeApiClient(CoreV1Api);
  return {
    async leaderAddress() {
      const lease = await leases.readNamespacedLease({ namespace, name: LEADER_LEASE_NAME });
      return lease.metadata?.annotations?.[COORDINATOR_ADDRESS_ANNOTATION];
    },
    async serviceEndpoint() {
      const ep = await core.readNamespacedEndpoints({ namespace, name: serviceName });
      return endpointAddress(ep);
    },
  };
}
