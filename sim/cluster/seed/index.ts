/**
 * `seedCluster`: create what a Calico cluster prepared for a Cilium migration holds (namespaces, kubeadm's
 * configuration, Calico installed by manifest or operator, Cilium in secondary mode by Helm or not, the
 * CiliumNodeConfig, CoreDNS, demo workloads with PDBs), shaped by `SeedSettings`. Idempotent: objects that
 * exist are kept, so it can run against a cluster that was seeded before.
 */
import { KubernetesObjectApi, type KubeConfig, type V1CustomResourceDefinition, type V1Toleration } from '@kubernetes/client-node';
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
import { apiServerCrd, manifestCompanions, operatorApiServer } from './calico-companions.js';
import { CILIUM_GROUP, ciliumConfig, ciliumDaemonSet, ciliumNodeConfig, ciliumNodeConfigCrd, ciliumOperator, ciliumRelease } from './cilium.js';
import { breaks, seedSettings, type SeedSettings, type SeedSettingsInput } from './settings.js';
import { kubeadmConfig, namespace, SEED_NAMESPACES, seedDeployments, seedDisruptionBudgets } from './workloads.js';

export interface SeedOptions extends SeedSettingsInput {
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

/** Gives an object about to be created its owner's labels and, for a workload, its placement. */
type Own = <T extends object>(obj: T) => T;

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

const isEstablished = (crd: V1CustomResourceDefinition): boolean =>
  (crd.status?.conditions ?? []).some((c) => c.type === 'Established' && c.status === 'True');

/** Create the CRD unless present, wait until it is Established, and return it as served. */
async function ensureCrd(clients: KubeClients, crd: V1CustomResourceDefinition, deadlineMs: number, own: Own): Promise<V1CustomResourceDefinition> {
  await createIfAbsent(() => clients.extensions.createCustomResourceDefinition({ body: own(crd) }));
  const name = crd.metadata?.name ?? '';
  return waitForObject<V1CustomResourceDefinition>(clients.kc, {
    path: '/apis/apiextensions.k8s.io/v1/customresourcedefinitions',
    fieldSelector: `metadata.name=${name}`,
    satisfied: isEstablished,
    deadlineMs,
    what: `CRD ${name} established`,
  });
}

async function seedCalicoInstall(clients: KubeClients, s: SeedSettings, deadlineMs: number, own: Own): Promise<void> {
  const objects = KubernetesObjectApi.makeApiClient(clients.kc);
  if (s.calicoInstall === 'manifest') {
    await createIfAbsent(() => clients.core.createNamespacedConfigMap({ namespace: 'kube-system', body: own(calicoConfig(s)) }));
    await createIfAbsent(() => clients.apps.createNamespacedDaemonSet({ namespace: 'kube-system', body: own(calicoNode(s)) }));
    for (const o of manifestCompanions()) await createIfAbsent(() => objects.create(own(o)));
    return;
  }
  await ensureCrd(clients, installationCrd(), deadlineMs, own);
  await ensureCrd(clients, apiServerCrd(), deadlineMs, own);
  for (const o of operatorApiServer()) await createIfAbsent(() => objects.create(own(o)));
  for (const ns of ['tigera-operator', 'calico-system']) await createIfAbsent(() => clients.core.createNamespace({ body: own(namespace(ns)) }));
  await createIfAbsent(() => clients.custom.createClusterCustomObject({ group: TIGERA_GROUP, version: 'v1', plural: 'installations', body: own(installation(s)) }));
  await createIfAbsent(() => clients.apps.createNamespacedDeployment({ namespace: 'tigera-operator', body: own(tigeraOperator()) }));
  await createIfAbsent(() => clients.apps.createNamespacedDaemonSet({ namespace: 'calico-system', body: own(calicoNode(s, 'calico-system')) }));
}

async function seedCalico(clients: KubeClients, s: SeedSettings, deadlineMs: number, own: Own): Promise<void> {
  for (const crd of calicoCrds()) await ensureCrd(clients, crd, deadlineMs, own);
  const cluster = (plural: string, body: object) => () => clients.custom.createClusterCustomObject({ group: CALICO_GROUP, version: 'v1', plural, body: own(body) });
  await createIfAbsent(cluster('ippools', calicoIpPool(s)));
  await createIfAbsent(cluster('felixconfigurations', felixConfiguration()));
  if (breaks(s, 'bgp-peers')) await createIfAbsent(cluster('bgppeers', bgpPeer()));
  for (const p of s.calicoPolicies ? calicoPolicies() : []) {
    const { plural, namespace: ns, body } = p;
    await createIfAbsent(() =>
      ns
        ? clients.custom.createNamespacedCustomObject({ group: CALICO_GROUP, version: 'v1', namespace: ns, plural, body: own(body) })
        : clients.custom.createClusterCustomObject({ group: CALICO_GROUP, version: 'v1', plural, body: own(body) }),
    );
  }
  await seedCalicoInstall(clients, s, deadlineMs, own);
}

/** `v2` when the cluster serves it (Cilium 1.16+), else the migration guide's `v2alpha1`. */
const nodeConfigVersion = (crd: V1CustomResourceDefinition): string =>
  crd.spec.versions.some((v) => v.name === 'v2' && v.served) ? 'v2' : 'v2alpha1';

async function seedCilium(clients: KubeClients, s: SeedSettings, deadlineMs: number, own: Own): Promise<void> {
  if (breaks(s, 'cilium-absent')) return;
  const version = nodeConfigVersion(await ensureCrd(clients, ciliumNodeConfigCrd(), deadlineMs, own));
  if (!breaks(s, 'nodeconfig-absent')) {
    await createIfAbsent(() =>
      clients.custom.createNamespacedCustomObject({ group: CILIUM_GROUP, version, namespace: CILIUM_NAMESPACE, plural: 'ciliumnodeconfigs', body: own(ciliumNodeConfig(version, s)) }),
    );
  }
  if (s.ciliumHelm) await createIfAbsent(() => clients.core.createNamespacedSecret({ namespace: CILIUM_NAMESPACE, body: own(ciliumRelease(s)) }));
  await createIfAbsent(() => clients.core.createNamespacedConfigMap({ namespace: CILIUM_NAMESPACE, body: own(ciliumConfig(s)) }));
  await createIfAbsent(() => clients.apps.createNamespacedDaemonSet({ namespace: CILIUM_NAMESPACE, body: own(ciliumDaemonSet()) }));
  await createIfAbsent(() => clients.apps.createNamespacedDeployment({ namespace: CILIUM_NAMESPACE, body: own(ciliumOperator()) }));
}

async function seedWorkloads(clients: KubeClients, s: SeedSettings, opts: SeedOptions, own: Own): Promise<void> {
  const wanted = (ns: string | undefined): boolean => ns === 'kube-system' || !opts.withoutDemoWorkloads;
  for (const pdb of seedDisruptionBudgets(breaks(s, 'pdb-never-evicts')).filter((p) => wanted(p.metadata?.namespace))) {
    await createIfAbsent(() => clients.policy.createNamespacedPodDisruptionBudget({ namespace: pdb.metadata?.namespace ?? '', body: own(pdb) }));
  }
  for (const d of seedDeployments().filter((x) => wanted(x.metadata?.namespace))) {
    await createIfAbsent(() => clients.apps.createNamespacedDeployment({ namespace: d.metadata?.namespace ?? '', body: own(d) }));
  }
}

export async function seedCluster(kc: KubeConfig, opts: SeedOptions = {}): Promise<void> {
  const { crdDeadlineMs, withoutDemoWorkloads: _w, ...settings } = opts;
  const { labels, placement, ...shape } = settings;
  const s = seedSettings(shape);
  const own: Own = (obj) => stamp(obj, { ...(labels ? { labels } : {}), ...(placement ? { placement } : {}) });
  const clients = kubeClients(kc);
  const deadlineMs = crdDeadlineMs ?? 30_000;
  for (const ns of SEED_NAMESPACES) await createIfAbsent(() => clients.core.createNamespace({ body: own(namespace(ns)) }));
  await createIfAbsent(() => clients.core.createNamespacedConfigMap({ namespace: 'kube-system', body: own(kubeadmConfig()) }));
  await seedCalico(clients, s, deadlineMs, own);
  await seedCilium(clients, s, deadlineMs, own);
  await seedWorkloads(clients, s, opts, own);
}
