/**
 * Installing cni-migrate into the (simulated) cluster the way an operator would: the deploy/ namespace,
 * ServiceAccounts, RBAC, CRD and agent DaemonSet, then the `Migration default` object, unpaused.
 */
import { CoreV1Api, CustomObjectsApi, KubeConfig, KubernetesObjectApi, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { CniMigrateError } from '../../shared/errors.js';
import { MIGRATION_DEFAULT_NAME, MIGRATION_GROUP, MIGRATION_PLURAL, MIGRATION_VERSION } from '../../shared/names.js';
import { ACCESS_KINDS, readDeployManifests } from './deploy-manifests.js';
import { httpStatusOf } from '../../shared/http-status.js';

/** Create an object; true when it existed already (409), false when created. */
async function createOrConflict(create: () => Promise<unknown>): Promise<boolean> {
  try {
    await create();
    return false;
  } catch (e) {
    if (httpStatusOf(e) === 409) return true;
    throw new CniMigrateError('KubeApi', 'install failed', { cause: e });
  }
}

async function createIfAbsent(create: () => Promise<unknown>): Promise<void> {
  await createOrConflict(create);
}

async function callApi(what: string, call: () => Promise<unknown>): Promise<void> {
  try {
    await call();
  } catch (e) {
    throw new CniMigrateError('KubeApi', `${what} failed`, { cause: e });
  }
}

/** Namespace, ServiceAccounts, RBAC, the Migration CRD and the agent DaemonSet from deploy/. */
export async function installDeployManifests(kc: KubeConfig, deployDir: string): Promise<void> {
  const objects = KubernetesObjectApi.makeApiClient(kc);
  const manifests = await readDeployManifests(deployDir, [...ACCESS_KINDS, 'DaemonSet']);
  for (const m of manifests) await createIfAbsent(() => objects.create(m));
}

export interface MigrationSpec {
  concurrency: number;
  autoRollback: boolean;
  includeControlPlane: boolean;
  /** Label selector of the nodes the rollout covers ('' for every node). */
  nodeSelector?: string;
}

/** Create `Migration default`, unpaused; if it exists already, replace its spec with this one (merge patch). */
export async function createMigration(kc: KubeConfig, spec: MigrationSpec): Promise<void> {
  const custom = kc.makeApiClient(CustomObjectsApi);
  const ref = { group: MIGRATION_GROUP, version: MIGRATION_VERSION, plural: MIGRATION_PLURAL };
  const fullSpec = { paused: false, nodeSelector: '', drain: { deleteEmptyDirData: true, force: false }, validation: {}, ...spec };
  const body = {
    apiVersion: `${MIGRATION_GROUP}/${MIGRATION_VERSION}`,
    kind: 'Migration',
    metadata: { name: MIGRATION_DEFAULT_NAME },
    spec: fullSpec,
  };
  const existed = await createOrConflict(() => custom.createClusterCustomObject({ ...ref, body }));
  if (!existed) return;
  await callApi('update of the existing Migration', () =>
    custom.patchClusterCustomObject({ ...ref, name: MIGRATION_DEFAULT_NAME, body: { spec: fullSpec } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch)),
  );
}

/** A token of a ServiceAccount, issued through the TokenRequest API (as the kubelet projects one). */
export async function serviceAccountToken(kc: KubeConfig, namespace: string, serviceAccount: string): Promise<string> {
  const answer = await kc.makeApiClient(CoreV1Api).createNamespacedServiceAccountToken({
    namespace,
    name: serviceAccount,
    body: { spec: { audiences: [], expirationSeconds: 3600 } },
  });
  const token = answer.status?.token;
  if (token === undefined) throw new CniMigrateError('KubeApi', `no token issued for ${namespace}/${serviceAccount}`);
  return token;
}

/** A KubeConfig for the same server as `kc`, authenticating with `token`. */
export function kubeConfigWithToken(kc: KubeConfig, token: string): KubeConfig {
  const cluster = kc.getCurrentCluster();
  if (cluster === null) throw new CniMigrateError('ConfigInvalid', 'kubeconfig has no current cluster');
  const out = new KubeConfig();
  out.loadFromOptions({
    clusters: [cluster],
    users: [{ name: 'sa', token }],
    contexts: [{ name: 'sa', cluster: cluster.name, user: 'sa' }],
    currentContext: 'sa',
  });
  return out;
}
