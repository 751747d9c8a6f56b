/**
 * `seedCluster`: create what a Calico cluster prepared for a Cilium migration holds (namespaces, kubeadm's
 * configuration, Calico installed by manifest or operator, Cilium in secondary mode by Helm or not, the
 * CiliumNodeConfig, CoreDNS, demo workloads with PDBs), shaped by `SeedSettings`. Idempotent: objects that
 * exist are kept, so it can run against a cluster that was seeded before.
 */
import type { KubeConfig, V1CustomResourceDefinition } from '@kubernetes/client-node';
import { CILIUM_NAMESPACE } from '../../../shared/names.js';
import { createIfAbsent, kubeClients, type KubeClients } from '../kube.js';
import { waitForObject } from '../wait-for.js';
import {
  bgpPeer,
  CALICO_GROUP,
  calicoConfig,
  calicoCrds,
  calicoIpPool,
  calicoNode,
  calicoPolicies,
  felixConfiguration,
  installation,
  installationCrd,
  TIGERA_GROUP,
  tigeraOperator,
} from './calico.js';
import { CILIUM_GROUP, ciliumConfig, ciliumDaemonSet, ciliumNodeConfig, ciliumNodeConfigCrd, ciliumOperator, ciliumRelease } from './cilium.js';
import { breaks, seedSettings, type SeedSettings, type SeedSettingsInput } from './settings.js';
import { kubeadmConfig, namespace, SEED_NAMESPACES, seedDeployments, seedDisruptionBudgets } from './workloads.js';

export interface SeedOptions extends SeedSettingsInput {
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

async function seedCalicoInstall(clients: KubeClients, s: SeedSettings, deadlineMs: number): Promise<void> {
  if (s.calicoInstall === 'manifest') {
    await createIfAbsent(() => clients.core.createNamespacedConfigMap({ namespace: 'kube-system', body: calicoConfig(s) }));
    await createIfAbsent(() => clients.apps.createNamespacedDaemonSet({ namespace: 'kube-system', body: calicoNode(s) }));
    return;
  }
  await ensureCrd(clients, installationCrd(), deadlineMs);
  for (const ns of ['tigera-operator', 'calico-system']) await createIfAbsent(() => clients.core.createNamespace({ body: namespace(ns) }));
  await createIfAbsent(() => clients.custom.createClusterCustomObject({ group: TIGERA_GROUP, version: 'v1', plural: 'installations', body: installation(s) }));
  await createIfAbsent(() => clients.apps.createNamespacedDeployment({ namespace: 'tigera-operator', body: tigeraOperator() }));
  await createIfAbsent(() => clients.apps.createNamespacedDaemonSet({ namespace: 'calico-system', body: calicoNode(s, 'calico-system') }));
}

async function seedCalico(clients: KubeClients, s: SeedSettings, deadlineMs: number): Promise<void> {
  for (const crd of calicoCrds()) await ensureCrd(clients, crd, deadlineMs);
  const cluster = (plural: string, body: object) => () => clients.custom.createClusterCustomObject({ group: CALICO_GROUP, version: 'v1', plural, body });
  await createIfAbsent(cluster('ippools', calicoIpPool(s)));
  await createIfAbsent(cluster('felixconfigurations', felixConfiguration()));
  if (breaks(s, 'bgp-peers')) await createIfAbsent(cluster('bgppeers', bgpPeer()));
  for (const p of s.calicoPolicies ? calicoPolicies() : []) {
    const { plural, namespace: ns, body } = p;
    await createIfAbsent(() =>
      ns
        ? clients.custom.createNamespacedCustomObject({ group: CALICO_GROUP, version: 'v1', namespace: ns, plural, body })
        : clients.custom.createClusterCustomObject({ group: CALICO_GROUP, version: 'v1', plural, body }),
    );
  }
  await seedCalicoInstall(clients, s, deadlineMs);
}

/** `v2` when the cluster serves it (Cilium 1.16+), else the migration guide's `v2alpha1`. */
const nodeConfigVersion = (crd: V1CustomResourceDefinition): string =>
  crd.spec.versions.some((v) => v.name === 'v2' && v.served) ? 'v2' : 'v2alpha1';

async function seedCilium(clients: KubeClients, s: SeedSettings, deadlineMs: number): Promise<void> {
  if (breaks(s, 'cilium-absent')) return;
  const version = nodeConfigVersion(await ensureCrd(clients, ciliumNodeConfigCrd(), deadlineMs));
  if (!breaks(s, 'nodeconfig-absent')) {
    await createIfAbsent(() =>
      clients.custom.createNamespacedCustomObject({ group: CILIUM_GROUP, version, namespace: CILIUM_NAMESPACE, plural: 'ciliumnodeconfigs', body: ciliumNodeConfig(version, s) }),
    );
  }
  if (s.ciliumHelm) await createIfAbsent(() => clients.core.createNamespacedSecret({ namespace: CILIUM_NAMESPACE, body: ciliumRelease(s) }));
  await createIfAbsent(() => clients.core.createNamespacedConfigMap({ namespace: CILIUM_NAMESPACE, body: ciliumConfig(s) }));
  await createIfAbsent(() => clients.apps.createNamespacedDaemonSet({ namespace: CILIUM_NAMESPACE, body: ciliumDaemonSet() }));
  await createIfAbsent(() => clients.apps.createNamespacedDeployment({ namespace: CILIUM_NAMESPACE, body: ciliumOperator() }));
}

async function seedWorkloads(clients: KubeClients, s: SeedSettings, opts: SeedOptions): Promise<void> {
  const wanted = (ns: string | undefined): boolean => ns === 'kube-system' || !opts.withoutDemoWorkloads;
  for (const pdb of seedDisruptionBudgets(breaks(s, 'pdb-never-evicts')).filter((p) => wanted(p.metadata?.namespace))) {
    await createIfAbsent(() => clients.policy.createNamespacedPodDisruptionBudget({ namespace: pdb.metadata?.namespace ?? '', body: pdb }));
  }
  for (const d of seedDeployments().filter((x) => wanted(x.metadata?.namespace))) {
    await createIfAbsent(() => clients.apps.createNamespacedDeployment({ namespace: d.metadata?.namespace ?? '', body: d }));
  }
}

export async function seedCluster(kc: KubeConfig, opts: SeedOptions = {}): Promise<void> {
  const { crdDeadlineMs, withoutDemoWorkloads: _w, ...settings } = opts;
  const s = seedSettings(settings);
  const clients = kubeClients(kc);
  const deadlineMs = crdDeadlineMs ?? 30_000;
  for (const ns of SEED_NAMESPACES) await createIfAbsent(() => clients.core.createNamespace({ body: namespace(ns) }));
  await createIfAbsent(() => clients.core.createNamespacedConfigMap({ namespace: 'kube-system', body: kubeadmConfig() }));
  await seedCalico(clients, s, deadlineMs);
  await seedCilium(clients, s, deadlineMs);
  await seedWorkloads(clients, s, opts);
}
