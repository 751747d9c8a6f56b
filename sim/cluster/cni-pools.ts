/**
 * The simulated CNIs hand out addresses from the pools the cluster configures, as the real ones do: Calico's
 * IPAM from its first enabled IPPool, Cilium's cluster-pool IPAM from `cilium-config`. Read at kubelet start;
 * a pool the cluster does not (yet) hold keeps the seed's.
 */
import { z } from 'zod';
import { CILIUM_NAMESPACE } from '../../shared/names.js';
import { isNotFound, type KubeClients } from './kube.js';
import { SEED_POOLS, type Pools } from './network-model.js';

const IpPoolListSchema = z.looseObject({
  items: z.array(z.looseObject({ spec: z.looseObject({ cidr: z.string(), disabled: z.boolean().optional() }) })),
});

async function absentIsUndefined<T>(read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

export async function readPools(clients: KubeClients): Promise<Pools> {
  const pools: unknown = await absentIsUndefined(() => clients.custom.listClusterCustomObject({ group: 'crd.projectcalico.org', version: 'v1', plural: 'ippools' }));
  const calico = IpPoolListSchema.safeParse(pools).data?.items.find((p) => p.spec.disabled !== true && !p.spec.cidr.includes(':'))?.spec.cidr;
  const config = await absentIsUndefined(() => clients.core.readNamespacedConfigMap({ namespace: CILIUM_NAMESPACE, name: 'cilium-config' }));
  const cilium = config?.data?.['cluster-pool-ipv4-cidr']?.split(/\s+/).find(Boolean);
  return { calico: calico ?? SEED_POOLS.calico, cilium: cilium ?? SEED_POOLS.cilium };
}
