/**
 * Reads what pre-flight needs from the live cluster, in parallel, as `RawClusterObjects`: Calico's install
 * and its projectcalico.org objects, Cilium's ConfigMap, workloads, Helm records and CiliumNodeConfig, and the
 * cluster's address space. An object or kind that does not exist is simply absent; any other failure is a
 * typed error naming what could not be read.
 */
import {
  ApiextensionsV1Api,
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  type KubeConfig,
} from '@kubernetes/client-node';
import { z } from 'zod';
import { CILIUM_DAEMONSET, CILIUM_NAMESPACE, CILIUM_NODE_CONFIG_NAME } from '../../shared/names.js';
import { clusterFactsFrom, type ClusterFacts, type RawClusterObjects, type RawObject } from '../core/facts/index.js';
import { preferredNodeConfigVersion } from '../core/facts/cilium.js';
import { retryTransient } from '../../shared/retry-transient.js';
import { isNotFound, kubeError } from './api-errors.js';
import { apiClient } from './api-client.js';

export const CALICO_CRD_GROUP = 'crd.projectcalico.org';
export const TIGERA_OPERATOR_GROUP = 'operator.tigera.io';
export const CILIUM_NODE_CONFIG_CRD = 'ciliumnodeconfigs.cilium.io';
/** Calico's policy kinds (plural: kind) that Cilium never enforces. */
export const CALICO_POLICY_KINDS: Readonly<Record<string, string>> = {
  networkpolicies: 'NetworkPolicy',
  globalnetworkpolicies: 'GlobalNetworkPolicy',
  networksets: 'NetworkSet',
  globalnetworksets: 'GlobalNetworkSet',
  hostendpoints: 'HostEndpoint',
};

export interface ReadOptions {
  /** Read Helm's release Secrets in Cilium's namespace (the CLI does; the in-cluster coordinator may not read Secrets). */
  helm: boolean;
}

const ObjectSchema = z.record(z.string(), z.unknown());
const ListSchema = z.looseObject({ items: z.array(ObjectSchema) });
/** A custom object as client-node returns it (untyped), checked to be an object. */
const asObject = (v: unknown): RawObject | undefined => (v === undefined ? undefined : ObjectSchema.parse(v));

/** How long one read retries a transient failure (no answer, 429, 5xx) before it fails the whole read. */
const READ_RETRY_MS = 10_000;

/**
 * A read whose 404 means "absent". A transient failure is retried: the whole read is some twenty requests,
 * and one dropped connection or 503 among them would otherwise fail pre-flight as a whole.
 */
async function optional<T>(what: string, call: () => Promise<T>): Promise<T | undefined> {
  try {
    return await retryTransient(call, Date.now() + READ_RETRY_MS);
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw kubeError(`read ${what}`, e);
  }
}

export function clusterObjectsReader(kc: KubeConfig): (opts: ReadOptions) => Promise<RawClusterObjects> {
  const core = apiClient(kc, CoreV1Api);
  const apps = apiClient(kc, AppsV1Api);
  const custom = apiClient(kc, CustomObjectsApi);
  const crds = apiClient(kc, ApiextensionsV1Api);

  /** Every object of a custom kind (all namespaces); a kind whose CRD is absent has none. */
  const listKind = async (group: string, plural: string, kind: string): Promise<RawObject[]> => {
    const list: unknown = await optional(`${plural}.${group}`, () => custom.listClusterCustomObject({ group, version: 'v1', plural }));
    return list === undefined ? [] : ListSchema.parse(list).items.map((o) => ({ kind, ...o }));
  };
  const configMap = (namespace: string, name: string) =>
    optional(`ConfigMap ${namespace}/${name}`, () => core.readNamespacedConfigMap({ namespace, name }));
  const daemonSet = (namespace: string, name: string) =>
    optional(`DaemonSet ${namespace}/${name}`, () => apps.readNamespacedDaemonSet({ namespace, name }));
  const deployment = (namespace: string, name: string) =>
    optional(`Deployment ${namespace}/${name}`, () => apps.readNamespacedDeployment({ namespace, name }));

  const nodeConfig = async () => {
    const crd = await optional(`CRD ${CILIUM_NODE_CONFIG_CRD}`, () => crds.readCustomResourceDefinition({ name: CILIUM_NODE_CONFIG_CRD }));
    const versions = (crd?.spec.versions ?? []).map((v) => ({ name: v.name, served: v.served }));
    const version = preferredNodeConfigVersion(versions.filter((v) => v.served).map((v) => v.name));
    const obj: unknown = version
      ? await optional(`CiliumNodeConfig ${CILIUM_NAMESPACE}/${CILIUM_NODE_CONFIG_NAME}`, () =>
          custom.getNamespacedCustomObject({ group: 'cilium.io', version, namespace: CILIUM_NAMESPACE, plural: 'ciliumnodeconfigs', name: CILIUM_NODE_CONFIG_NAME }),
        )
      : undefined;
    return { crd: crd ? { name: CILIUM_NODE_CONFIG_CRD, versions } : undefined, obj: asObject(obj) };
  };

  const calicoPolicies = async () =>
    (await Promise.all(Object.entries(CALICO_POLICY_KINDS).map(([plural, kind]) => listKind(CALICO_CRD_GROUP, plural, kind)))).flat();

  return async (opts) => {
    const [installation, tigeraOperator, calicoSystem, manifestNode, operatorNode, calicoConfig] = await Promise.all([
      optional('Installation default', async (): Promise<unknown> => custom.getClusterCustomObject({ group: TIGERA_OPERATOR_GROUP, version: 'v1', plural: 'installations', name: 'default' })),
      deployment('tigera-operator', 'tigera-operator'),
      optional('namespace calico-system', () => core.readNamespace({ name: 'calico-system' })),
      daemonSet('kube-system', 'calico-node'),
      daemonSet('calico-system', 'calico-node'),
      configMap('kube-system', 'calico-config'),
    ]);
    const [ipPools, felixConfigurations, bgpPeers, policies] = await Promise.all([
      listKind(CALICO_CRD_GROUP, 'ippools', 'IPPool'),
      listKind(CALICO_CRD_GROUP, 'felixconfigurations', 'FelixConfiguration'),
      listKind(CALICO_CRD_GROUP, 'bgppeers', 'BGPPeer'),
      calicoPolicies(),
    ]);
    const [ciliumConfig, ciliumDaemonSet, ciliumOperator, helmSecrets, nc] = await Promise.all([
      configMap(CILIUM_NAMESPACE, 'cilium-config'),
      daemonSet(CILIUM_NAMESPACE, CILIUM_DAEMONSET),
      deployment(CILIUM_NAMESPACE, 'cilium-operator'),
      opts.helm ? optional('Helm release Secrets', () => core.listNamespacedSecret({ namespace: CILIUM_NAMESPACE, labelSelector: 'owner=helm' })) : undefined,
      nodeConfig(),
    ]);
    const [kubeadmConfig, kubernetesService, nodes] = await Promise.all([
      configMap('kube-system', 'kubeadm-config'),
      optional('Service default/kubernetes', () => core.readNamespacedService({ namespace: 'default', name: 'kubernetes' })),
      optional('nodes', () => core.listNode()),
    ]);
    return {
      installation: asObject(installation),
      tigeraOperator,
      calicoSystemNamespace: calicoSystem !== undefined,
      calicoNodes: [manifestNode, operatorNode].filter((d) => d !== undefined),
      calicoConfig,
      ipPools,
      felixConfigurations,
      bgpPeers,
      calicoPolicies: policies,
      ciliumConfig,
      ciliumDaemonSet,
      ciliumOperator,
      helmSecrets: opts.helm ? (helmSecrets?.items ?? []) : undefined,
      ciliumNodeConfigCrd: nc.crd,
      ciliumNodeConfig: nc.obj,
      kubeadmConfig,
      kubernetesService,
      nodes: nodes?.items ?? [],
    };
  };
}

/** Read the cluster and derive its facts. */
export async function readClusterFacts(kc: KubeConfig, opts: ReadOptions): Promise<ClusterFacts> {
  return clusterFactsFrom(await clusterObjectsReader(kc)(opts));
}
