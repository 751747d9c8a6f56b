/**
 * Finding the coordinator without cluster DNS: a configured URL wins; otherwise the address the leader
 * publishes on its Lease, else the first ready address of the coordinator Service's Endpoints.
 * The answer is remembered until the client reports a network failure.
 */
import { CoordinationV1Api, CoreV1Api, type KubeConfig, type V1Endpoints } from '@kubernetes/client-node';
import { CniMigrateError } from '../../shared/errors.js';
import { COORDINATOR_ADDRESS_ANNOTATION, LEADER_LEASE_NAME } from '../../shared/names.js';

export interface CoordinatorLocator {
  locate(): Promise<string>;
  forget(): void;
}

/** Where the address could be read from; each answer is undefined when that source has none. */
export interface CoordinatorAddressSources {
  leaderAddress(): Promise<string | undefined>;
  serviceEndpoint(): Promise<string | undefined>;
}

export const fixedLocator = (url: string): CoordinatorLocator => ({
  locate: () => Promise.resolve(url.replace(/\/+$/, '')),
  forget: () => undefined,
});

export function discoveringLocator(sources: CoordinatorAddressSources): CoordinatorLocator {
  let known: string | undefined;
  return {
    async locate() {
      if (known !== undefined) return known;
      const hostPort = (await sources.leaderAddress().catch(() => undefined)) ?? (await sources.serviceEndpoint());
      if (hostPort === undefined) throw new CniMigrateError('NotFound', 'no coordinator address published yet');
      known = `http://${hostPort}`;
      return known;
    },
    forget() {
      known = undefined;
    },
  };
}

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
