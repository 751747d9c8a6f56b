/**
 * Where the coordinator's address is published: the leader Lease's address annotation (watched, see
 * leader-lease.ts) and the coordinator Service's Endpoints (read without cluster DNS).
 */
import { CoreV1Api, type KubeConfig, type V1Endpoints } from '@kubernetes/client-node';
import type { Logger } from '../../shared/logger.js';
import type { CoordinatorAddressSources } from '../loop/locate-coordinator.js';
import { watchLeaderLease } from './leader-lease.js';

/** How long a lookup waits for the Lease watch's first answer before asking the Service's Endpoints. */
const LEASE_WAIT_MS = 2000;

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

export function kubeAddressSources(kc: KubeConfig, namespace: string, serviceName: string, log: Logger): CoordinatorAddressSources {
  const lease = watchLeaderLease(kc, namespace, log);
  const core = kc.makeApiClient(CoreV1Api);
  return {
    leaderAddress: () => lease.address(LEASE_WAIT_MS),
    async serviceEndpoint() {
      const ep = await core.readNamespacedEndpoints({ namespace, name: serviceName });
      return endpointAddress(ep);
    },
    onLeaderChange: (cb) => lease.onNewTerm(cb),
    stop: () => lease.stop(),
  };
}
