/**
 * `seedCluster`: create what a Calico cluster prepared for a Cilium migration holds (namespaces, Calico,
 * Cilium in secondary mode, the CiliumNodeConfig, CoreDNS, demo workloads with PDBs). Idempotent: objects
 * that exist are kept, so it can run against a cluster that was seeded before.
 */
import type { KubeConfig, V1CustomResourceDefinition, V1Toleration } from '@kubernetes/client-node';
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
  /** Labels on every object seeded (who owns it, in a shared cluster). */
  labels?: Record<string, string>;
  /** Where seeded workloads' pods may run (merged into every DaemonSet's and Deployment's pod template). */
  placement?: { nodeSelector: Record<string, string>; tolerations: V1Toleration[] };
}

interface Stampable {
  metadata?: { labels?: Record<string, string> };
  spec?: { template?: { spec?: { nodeSelector?: Record<string, string>; tolerations?: V1Toleration[] } } };
}

/** The object with the seed's labels and, for a workload, its placement (a copy; the builders' object stays). */
export function stamp<T extends object>(obj: T, opts: Pick<SeedOptions, 'labels' | 'placement'>): T {
  const o = structuredClone(obj) as T & Stampable;
  if (opts.labels) o.metadata = { ...o.metadata, labels: { ...o.metadata?.labels, ...opts.labels } };
  const pod = o.spec?.template?.spec;
  if (pod && opts.placement) {
    pod.nodeSelector = { ...pod.nodeSelector, ...opts.placement.nodeSelector };
    pod.tolerations = [...(pod.tolerations ?? []), ...opts.placement.tolerations];
  }
  return o;
}

export interface SeedRef {
  kind: string;
  apiVersion: string;
  namespace?: string;
  name: string;
}

/** Every object `seedCluster` creates where absent, in order (the CiliumNodeConfig at its newest version). */
export function seedRefs(opts: Pick<SeedOptions, 'withoutDemoWorkloads'> = {}): SeedRef[] {
  const wanted = (ns: string | undefined): boolean => ns === 'kube-system' || !opts.withoutDemoWorkloads;
  const objects: { kind?: string; apiVersion?: string; metadata?: { name?: string; namespace?: string } }[] = [
    ...SEED_NAMESPACES.map(namespace),
    ...calicoCrds(),
    calicoIpPool(),
    felixConfiguration(),
    calicoConfig(),
    calicoNode(),
    ciliumNodeConfigCrd(),
    ciliumNodeConfig('v2'),
    ciliumConfig(),
    ciliumDaemonSet(),
    ciliumOperator(),
    ...seedDisruptionBudgets().filter((p) => wanted(p.metadata?.namespace)),
    ...seedDeployments().filter((d) => wanted(d.metadata?.namespace)),
  ];
  return objects.map((o) => ({
    kind: o.kind ?? '',
    apiVersion: o.apiVersion ?? '',
    name: o.metadata?.name ?? '',
    ...(o.metadata?.namespace ? { namespace: o.metadata.namespace } : {}),
  }));
}

const isEstablished = (crd: V1CustomResourceDefinition): boolean =>
  (crd.status?.conditions ?? []).some((c) => c.type === 'Established' && c.status === 'True');

/** Create the CRD unless present, wait until it is Established, and return it as served. */
async function ensureCrd(clients: KubeClients, crd: V1CustomResourceDefinition, deadlineMs: number, opts: SeedOptions): Promise<V1CustomResourceDefinition> {
  await createIfAbsent(() => clients.extensions.createCustomResourceDefinition({ body: stamp(crd, opts) }));
  const name = crd.metadata?.name ?? '';
  return waitForObject<V1CustomResourceDefinition>(clients.kc, {
    path: '/apis/apiextensions.k8s.io/v1/customresourcedefinitions',
    fieldSelector: `metadata.name=${name}`,
    satisfied: isEstablished,
    deadlineMs,
    what: `CRD ${name} established`,
  });
}

async function seedCalico(clients: KubeClients, deadlineMs: number, opts: SeedOptions): Promise<void> {
  for (const crd of calicoCrds()) await ensureCrd(clients, crd, deadlineMs, opts);
  const cluster = (plural: string, body: object) => () => clients.custom.createClusterCustomObject({ group: CALICO_GROUP, version: 'v1', plural, body: stamp(body, opts) });
  await createIfAbsent(cluster('ippools', calicoIpPool()));
  await createIfAbsent(cluster('felixconfigurations', felixConfiguration()));
  await createIfAbsent(() => clients.core.createNamespacedConfigMap({ namespace: 'kube-system', body: stamp(calicoConfig(), opts) }));
  await createIfAbsent(() => clients.apps.createNamespacedDaemonSet({ namespace: 'kube-system', body: stamp(calicoNode(), opts) }));
}

/** `v2` when the cluster serves it (Cilium 1.16+), else the migration guide's `v2alpha1`. */
const nodeConfigVersion = (crd: V1CustomResourceDefinition): string =>
  crd.spec.versions.some((v) => v.name === 'v2' && v.served) ? 'v2' : 'v2alpha1';

async function seedCilium(clients: KubeClients, deadlineMs: number, opts: SeedOptions): Promise<void> {
  const version = nodeConfigVersion(await ensureCrd(clients, ciliumNodeConfigCrd(), deadlineMs, opts));
  await createIfAbsent(() =>
    clients.custom.createNamespacedCustomObject({ group: CILIUM_GROUP, version, namespace: CILIUM_NAMESPACE, plural: 'ciliumnodeconfigs', body: stamp(ciliumNodeConfig(version), opts) }),
  );
  await createIfAbsent(() => clients.core.createNamespacedConfigMap({ namespace: CILIUM_NAMESPACE, body: stamp(ciliumConfig(), opts) }));
  await createIfAbsent(() => clients.apps.createNamespacedDaemonSet({ namespace: CILIUM_NAMESPACE, body: stamp(ciliumDaemonSet(), opts) }));
  await createIfAbsent(() => clients.apps.createNamespacedDeployment({ namespace: CILIUM_NAMESPACE, body: stamp(ciliumOperator(), opts) }));
}

async function seedWorkloads(clients: KubeClients, opts: SeedOptions): Promise<void> {
  const wanted = (ns: string | undefined): boolean => ns === 'kube-system' || !opts.withoutDemoWorkloads;
  for (const pdb of seedDisruptionBudgets().filter((p) => wanted(p.metadata?.namespace))) {
    await createIfAbsent(() => clients.policy.createNamespacedPodDisruptionBudget({ namespace: pdb.metadata?.namespace ?? '', body: stamp(pdb, opts) }));
  }
  for (const d of seedDeployments().filter((x) => wanted(x.metadata?.namespace))) {
    await createIfAbsent(() => clients.apps.createNamespacedDeployment({ namespace: d.metadata?.namespace ?? '', body: stamp(d, opts) }));
  }
}

export async function seedCluster(kc: KubeConfig, opts: SeedOptions = {}): Promise<void> {
  const clients = kubeClients(kc);
  const deadlineMs = opts.crdDeadlineMs ?? 30_000;
  for (const ns of SEED_NAMESPACES) await createIfAbsent(() => clients.core.createNamespace({ body: stamp(namespace(ns), opts) }));
  await seedCalico(clients, deadlineMs, opts);
  await seedCilium(clients, deadlineMs, opts);
  await seedWorkloads(clients, opts);
}
