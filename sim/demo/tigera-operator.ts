/**
 * The Tigera operator as the simulation plays it: when Installation `default` is deleted, the operator (only
 * while its Deployment exists) removes what it installed (the calico-system namespace) and then clears its
 * finalizer; when APIServer `default` is deleted, it removes Calico's APIService. With the operator gone first, the Installation stays Terminating: the stuck finalizer that
 * the removal's safe order avoids.
 */
import {
  ApiregistrationV1Api,
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { z } from 'zod';
import { httpStatusOf } from '../../shared/http-status.js';
import { TIGERA_FINALIZER, TIGERA_GROUP } from '../cluster/seed/calico.js';
import { CALICO_APISERVICE } from '../cluster/seed/calico-companions.js';
import { watchList } from './watch-cache.js';

const InstallationSchema = z.looseObject({
  metadata: z.looseObject({
    name: z.string(),
    resourceVersion: z.string().optional(),
    deletionTimestamp: z.unknown().optional(),
    finalizers: z.array(z.string()).optional(),
  }),
});
type Installation = KubernetesObject & { metadata: { name: string; finalizers?: string[] } };
const ListSchema = z.looseObject({ metadata: z.looseObject({ resourceVersion: z.string().optional() }).optional(), items: z.array(InstallationSchema) });

const absentOk = async (call: () => Promise<unknown>): Promise<boolean> => {
  try {
    await call();
    return true;
  } catch (e) {
    if (httpStatusOf(e) === 404) return false;
    throw e;
  }
};

/** The operator stops: what it watched is no longer watched. */
export interface OperatorPlay {
  stop(): Promise<void>;
}

export async function startTigeraOperator(kc: KubeConfig): Promise<OperatorPlay> {
  const custom = kc.makeApiClient(CustomObjectsApi);
  const apps = kc.makeApiClient(AppsV1Api);
  const core = kc.makeApiClient(CoreV1Api);
  const ref = { group: TIGERA_GROUP, version: 'v1', plural: 'installations' };
  const registration = kc.makeApiClient(ApiregistrationV1Api);
  const listOf = async (r: typeof ref): Promise<KubernetesListObject<Installation>> => {
    const raw: unknown = await custom.listClusterCustomObject(r);
    const parsed = ListSchema.parse(raw);
    return { metadata: parsed.metadata ?? {}, items: parsed.items as Installation[] };
  };
  const installations = await watchList(kc, `/apis/${TIGERA_GROUP}/v1/installations`, () => listOf(ref));
  const finalize = async (i: Installation): Promise<void> => {
    if (i.metadata.deletionTimestamp === undefined || !i.metadata.finalizers?.includes(TIGERA_FINALIZER)) return;
    const operatorRuns = await absentOk(() => apps.readNamespacedDeployment({ namespace: 'tigera-operator', name: 'tigera-operator' }));
    if (!operatorRuns) return;
    await absentOk(() => core.deleteNamespace({ name: 'calico-system' }));
    const finalizers = i.metadata.finalizers.filter((f) => f !== TIGERA_FINALIZER);
    await absentOk(() =>
      custom.patchClusterCustomObject({ ...ref, name: i.metadata.name, body: { metadata: { finalizers } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch)),
    );
  };
  installations.onChange((i) => void finalize(i).catch(() => undefined));
  const apiServers = await watchList(kc, `/apis/${TIGERA_GROUP}/v1/apiservers`, () => listOf({ ...ref, plural: 'apiservers' }));
  const operatorRuns = (): Promise<boolean> => absentOk(() => apps.readNamespacedDeployment({ namespace: 'tigera-operator', name: 'tigera-operator' }));
  const removeApiService = async (): Promise<void> => {
    if (!(await operatorRuns())) return;
    await absentOk(() => registration.deleteAPIService({ name: CALICO_APISERVICE }));
  };
  apiServers.onDelete(() => void removeApiService().catch(() => undefined));
  return { stop: async () => void (await Promise.all([installations.stop(), apiServers.stop()])) };
}
