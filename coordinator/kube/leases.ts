/**
 * Leases in the coordinator's namespace: the leader Lease and the grant slots. Writes are
 * optimistic (resourceVersion); a lost race is a Conflict error the caller handles.
 */
import { CoordinationV1Api, V1MicroTime, type KubeConfig, type V1Lease } from '@kubernetes/client-node';
import { APP_LABEL, EVENT_COMPONENT } from '../../shared/names.js';
import { isNotFound, kubeCall, kubeError } from './api-errors.js';
import { apiClient } from './api-client.js';

export interface LeaseRecord {
  name: string;
  holder: string | undefined;
  acquireTime: Date | undefined;
  renewTime: Date | undefined;
  durationSeconds: number;
  transitions: number;
  annotations: Record<string, string>;
  /** Absent for a Lease not yet created. */
  resourceVersion: string | undefined;
}

export interface LeasesApi {
  get(name: string): Promise<LeaseRecord | undefined>;
  list(): Promise<LeaseRecord[]>;
  /** Creates the Lease when `resourceVersion` is absent, else replaces it at that version. Conflict on a lost race. */
  write(lease: LeaseRecord): Promise<LeaseRecord>;
}

const dateOf = (t: Date | string | undefined): Date | undefined => (t ? new Date(t) : undefined);

export function leaseRecordOf(l: V1Lease): LeaseRecord {
  const spec = l.spec ?? {};
  const meta = l.metadata ?? {};
  return {
    name: meta.name ?? '',
    holder: spec.holderIdentity || undefined,
    acquireTime: dateOf(spec.acquireTime),
    renewTime: dateOf(spec.renewTime),
    durationSeconds: spec.leaseDurationSeconds ?? 0,
    transitions: spec.leaseTransitions ?? 0,
    annotations: meta.annotations ?? {},
    resourceVersion: meta.resourceVersion,
  };
}

const micro = (d: Date | undefined): V1MicroTime | undefined => (d ? new V1MicroTime(d.getTime()) : undefined);

export function leaseBody(namespace: string, r: LeaseRecord): V1Lease {
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: {
      name: r.name,
      namespace,
      labels: { [APP_LABEL]: EVENT_COMPONENT },
      annotations: r.annotations,
      ...(r.resourceVersion ? { resourceVersion: r.resourceVersion } : {}),
    },
    spec: {
      ...(r.holder ? { holderIdentity: r.holder } : {}),
      leaseDurationSeconds: r.durationSeconds,
      ...(r.acquireTime ? { acquireTime: micro(r.acquireTime) } : {}),
      ...(r.renewTime ? { renewTime: micro(r.renewTime) } : {}),
      leaseTransitions: r.transitions,
    },
  };
}

export function leasesApi(kc: KubeConfig, namespace: string): LeasesApi {
  const api = apiClient(kc, CoordinationV1Api);
  return {
    get: async (name) => {
      try {
        return leaseRecordOf(await api.readNamespacedLease({ name, namespace }));
      } catch (e) {
        if (isNotFound(e)) return undefined;
        throw kubeError(`read lease ${name}`, e);
      }
    },
    list: async () =>
      (await kubeCall('list leases', () => api.listNamespacedLease({ namespace }))).items.map(leaseRecordOf),
    write: async (r) => {
      const body = leaseBody(namespace, r);
      const written = r.resourceVersion
        ? await kubeCall(`replace lease ${r.name}`, () => api.replaceNamespacedLease({ name: r.name, namespace, body }))
        : await kubeCall(`create lease ${r.name}`, () => api.createNamespacedLease({ namespace, body }));
      return leaseRecordOf(written);
    },
  };
}
