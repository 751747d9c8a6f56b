/**
 * What the cluster-level stages read and change, behind one narrow interface per concern: Cilium's config,
 * DaemonSet and CiliumNodeConfig (promotion), any object of Calico's install by reference (removal), and
 * Calico's CRDs. An absent object is simply absent; any other failure is a typed error naming the object.
 */
import {
  ApiextensionsV1Api,
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubernetesObjectApi,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
  type KubernetesObject,
  type V1ConfigMap,
} from '@kubernetes/client-node';
import { CILIUM_DAEMONSET, CILIUM_NAMESPACE, CILIUM_NODE_CONFIG_NAME } from '../../shared/names.js';
import { CALICO_CRD_GROUPS, refKey, type ObjectPresence, type ObjectRef } from '../core/stages/calico-removal.js';
import { isNotFound, kubeCall, kubeError } from './api-errors.js';
import { apiClient } from './api-client.js';

/** The annotation `kubectl rollout restart` sets on a pod template. */
export const RESTARTED_AT_ANNOTATION = 'kubectl.kubernetes.io/restartedAt';

export interface CiliumPromotionApi {
  readConfig(): Promise<V1ConfigMap | undefined>;
  /** Merge-patches keys into kube-system/cilium-config. */
  patchConfig(data: Record<string, string>): Promise<void>;
  /** What `kubectl rollout restart ds/cilium` does: the pod template's restartedAt annotation (strategic merge). */
  restartCiliumDaemonSet(restartedAt: string): Promise<void>;
  nodeConfigPresent(): Promise<boolean>;
  deleteNodeConfig(): Promise<void>;
}

export interface CalicoObjectsApi {
  /** Which of these objects exist, by refKey, with their finalizers. */
  presence(refs: readonly ObjectRef[]): Promise<Map<string, ObjectPresence>>;
  /** Deletes the object (foreground for namespaces' contents is the API server's business); absent is fine. */
  remove(ref: ObjectRef): Promise<void>;
  /** Names of the CRDs of Calico's API groups that exist. */
  crds(): Promise<string[]>;
  removeCrd(name: string): Promise<void>;
}

const NODE_CONFIG_VERSIONS = ['v2', 'v2alpha1'] as const;

export function ciliumPromotionApi(kc: KubeConfig): CiliumPromotionApi {
  const core = apiClient(kc, CoreV1Api);
  const apps = apiClient(kc, AppsV1Api);
  const custom = apiClient(kc, CustomObjectsApi);
  const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
  const strategic = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch);
  const nodeConfig = { group: 'cilium.io', namespace: CILIUM_NAMESPACE, plural: 'ciliumnodeconfigs', name: CILIUM_NODE_CONFIG_NAME };
  /** Each served version in turn: a cluster serves v2 (1.16+) or only v2alpha1. */
  const eachVersion = async (call: (version: string) => Promise<unknown>): Promise<boolean> => {
    for (const version of NODE_CONFIG_VERSIONS) {
      try {
        await call(version);
        return true;
      } catch (e) {
        if (!isNotFound(e)) throw kubeError(`CiliumNodeConfig ${CILIUM_NAMESPACE}/${CILIUM_NODE_CONFIG_NAME}`, e);
      }
    }
    return false;
  };
  return {
    readConfig: async () => {
      try {
        return await core.readNamespacedConfigMap({ namespace: CILIUM_NAMESPACE, name: 'cilium-config' });
      } catch (e) {
        if (isNotFound(e)) return undefined;
        throw kubeError(`read ConfigMap ${CILIUM_NAMESPACE}/cilium-config`, e);
      }
    },
    patchConfig: async (data) => {
      await kubeCall(`patch ConfigMap ${CILIUM_NAMESPACE}/cilium-config`, () =>
        core.patchNamespacedConfigMap({ namespace: CILIUM_NAMESPACE, name: 'cilium-config', body: { data } }, merge),
      );
    },
    restartCiliumDaemonSet: async (restartedAt) => {
      const body = { spec: { template: { metadata: { annotations: { [RESTARTED_AT_ANNOTATION]: restartedAt } } } } };
      await kubeCall(`restart DaemonSet ${CILIUM_NAMESPACE}/${CILIUM_DAEMONSET}`, () =>
        apps.patchNamespacedDaemonSet({ namespace: CILIUM_NAMESPACE, name: CILIUM_DAEMONSET, body }, strategic),
      );
    },
    nodeConfigPresent: () => eachVersion((version) => custom.getNamespacedCustomObject({ ...nodeConfig, version })),
    deleteNodeConfig: async () => {
      await eachVersion((version) => custom.deleteNamespacedCustomObject({ ...nodeConfig, version }));
    },
  };
}

const header = (r: ObjectRef): KubernetesObject & { metadata: { name: string; namespace?: string } } => ({
  apiVersion: r.apiVersion,
  kind: r.kind,
  metadata: { name: r.name, ...(r.namespace ? { namespace: r.namespace } : {}) },
});

export function calicoObjectsApi(kc: KubeConfig): CalicoObjectsApi {
  // A few calls once per rollout, with the context's default namespace only makeApiClient sets: client-node's own client.
  const objects = KubernetesObjectApi.makeApiClient(kc);
  const extensions = apiClient(kc, ApiextensionsV1Api);
  /** The object, or undefined when it (or its kind) does not exist. */
  const read = async (r: ObjectRef): Promise<KubernetesObject | undefined> => {
    try {
      return await objects.read(header(r));
    } catch (e) {
      if (isNotFound(e) || /resource .* not found|unrecognized/i.test(String(e))) return undefined;
      throw kubeError(`read ${r.kind} ${r.name}`, e);
    }
  };
  return {
    presence: async (refs) => {
      const found = await Promise.all(refs.map(async (r) => [r, await read(r)] as const));
      const out = new Map<string, ObjectPresence>();
      for (const [r, o] of found) {
        if (o) out.set(refKey(r), { deleting: o.metadata?.deletionTimestamp !== undefined, finalizers: o.metadata?.finalizers ?? [] });
      }
      return out;
    },
    remove: async (r) => {
      try {
        await objects.delete(header(r), undefined, undefined, undefined, undefined, 'Background');
      } catch (e) {
        if (isNotFound(e) || /resource .* not found|unrecognized/i.test(String(e))) return;
        throw kubeError(`delete ${r.kind} ${r.name}`, e);
      }
    },
    crds: async () => {
      const list = await kubeCall('list CRDs', () => extensions.listCustomResourceDefinition());
      return list.items
        .filter((c) => CALICO_CRD_GROUPS.includes(c.spec.group))
        .map((c) => c.metadata?.name ?? '')
        .filter((n) => n !== '')
        .sort();
    },
    removeCrd: async (name) => {
      try {
        await extensions.deleteCustomResourceDefinition({ name });
      } catch (e) {
        if (!isNotFound(e)) throw kubeError(`delete CRD ${name}`, e);
      }
    },
  };
}
