/**
 * `seedCluster`: create what a Calico cluster prepared for a Cilium migration holds (namespaces, Calico,
 * Cilium in secondary mode, the CiliumNodeConfig, CoreDNS, demo workloads with PDBs). Idempotent: objects
 * that exist are kept, so it can run against a cluster that was seeded before.
 */
import type { KubeConfig, V1CustomResourceDefinition } from '@kubernetes/client-node';
import { CILIUM_NAMESPACE } from '../../../shared/names.js';
import { createIfAbsent, kubeClients, type KubeClients } from '../kube.js';
import { waitForObject } from '../wait-for.js';
import { CALICO_GROUP, calicoConfig, calicoCrds, calicoIpPool, calicoNode, felixConfiguration } from './calico.js';
import { CILIUM_GROUP, ciliumConfig, ciliumDaemonSet, ciliumNodeConfig, ciliumNodeConfigCrd, ciliumOperator } from './cilium.js';
import { namespace, SEED_NAMESPACES, seedDeployments, seedDisruptionBudgets } from './workloads.js';

export interface SeedOptions {
  /** Deadline for each CRD to become Established. */
  crdDeadlineMs?: number;
  /** Skip the demo workloads (CoreDNS is always seeded). */
  withoutDemoWorkloads?: boolean;
}

const isEstablished = (crd: V1CustomResourceDefinition): boolean =>
  (crd.status?.conditions ?? []).some((c) => c.type === 'Established' && c.status === 'True');

/** Create the CRD unless present, wait until it is Established, and return it as served. */
async function ensureCrd(clients: KubeClients, crd: V1CustomResourceDefinition, deadlineMs: number): Promise<V1CustomResourceDefinition> {
  await createIfAbsent(() => clients.extensions.createCustomResourceDefinition({ body: crd }));
  const name = crd.metadata?.name ?? '';
  return waitForObject<V1CustomResourceDefinition>(clients.kc, {
    path: '/apis/apiextensions.k8s.io/v1/customresourcedefinitions',
    fieldSelector: `metadata.name=${name}`,
    satisfied: isEstablished,
    deadlineMs,
    what: `CRD ${name} established`,
  });
}

async function seedCalico(clients: KubeClients, deadlineMs: number): Promise<void> {
  for (const crd of calicoCrds()) await ensureCrd(clients, crd, deadlineMs);
  const cluster = (plural: string, body: object) => () => clients.custom.createClusterCustomObject({ group: CALICO_GROUP, version: 'v1', plural, body });
  await createIfAbsent(cluster('ippools', calicoIpPool()));
  await createIfAbsent(cluster('felixconfigurations', felixConfiguration()));
  await createIfAbsent(() => clients.core.createNamespacedConfigMap({ namespace: 'kube-system', body: calicoConfig() }));
  await createIfAbsent(() => clients.apps.createNamespacedDaemonSet({ namespace: 'kube-system', body: calicoNode() }));
}

/** `v2` when the cluster serves it (Cilium 1.16+), else the migration guide's `v2alpha1`. */
const nodeConfigVersion = (crd: V1CustomResourceDefinition): string =>
  crd.spec.versions.some((v) => v.name === 'v2' && v.served) ? 'v2' : 'v2alpha1';

async function seedCilium(clients: KubeClients, deadlineMs: number): Promise<void> {
  const version = nodeConfigVersion(await ensureCrd(clients, ciliumNodeConfigCrd(), deadlineMs));
  await createIfAbsent(() =>
    clients.custom.createNamespacedCustomObject({ group: CILIUM_GROUP, version, namespace: CILIUM_NAMESPACE, plural: 'ciliumnodeconfigs', body: ciliumNodeConfig(version) }),
  );
  await createIfAbsent(() => clients.core.createNamespacedConfigMap({ namespace: CILIUM_NAMESPACE, body: ciliumConfig() }));
  await createIfAbsent(() => clients.apps.createNamespacedDaemonSet({ namespace: CILIUM_NAMESPACE, body: ciliumDaemonSet() }));
  await createIfAbsent(() => clients.apps.createNamespacedDeployment({ namespace: CILIUM_NAMESPACE, body: ciliumOperator() }));
}

async function seedWorkloads(clients: KubeClients, opts: SeedOptions): Promise<void> {
  const wanted = (ns: string | undefined): boolean => ns === 'kube-system' || !opts.withoutDemoWorkloads;
  for (const pdb of seedDisruptionBudgets().filter((p) => wanted(p.metadata?.namespace))) {
    await createIfAbsent(() => clients.policy.createNamespacedPodDisruptionBudget({ namespace: pdb.metadata?.namespace ?? '', body: pdb }));
  }
  for (const d of seedDeployments().filter((x) => wanted(x.metadata?.namespace))) {
    await createIfAbsent(() => clients.apps.createNamespacedDeployment({ namespace: d.metadata?.namespace ?? '', body: d }));
  }
}

export async function seedCluster(kc: KubeConfig, opts: SeedOptions = {}): Promise<void> {
  const clients = kubeClients(kc);
  const deadlineMs = opts.crdDeadlineMs ?? 30_000;
  for (const ns of SEED_NAMESPACES) await createIfAbsent(() => clients.core.createNamespace({ body: namespace(ns) }));
  await seedCalico(clients, deadlineMs);
  await seedCilium(clients, deadlineMs);
  await seedWorkloads(clients, opts);
}
