/**
 * Installing cni-migrate into the (simulated) cluster the way an operator would: the deploy/ namespace,
 * ServiceAccounts, RBAC, CRD and agent DaemonSet (each only where absent; an existing one is used as it is),
 * then the run's own Migration object, unpaused.
 */
import { CoreV1Api, CustomObjectsApi, KubeConfig, KubernetesObjectApi } from '@kubernetes/client-node';
import { CniMigrateError } from '../../shared/errors.js';
import { MIGRATION_GROUP, MIGRATION_PLURAL, MIGRATION_VERSION } from '../../shared/names.js';
import { httpStatusOf } from '../../shared/http-status.js';
import { stamp, type SeedOptions } from '../cluster/seed/index.js';
import type { MigrationSpecInput } from '../../coordinator/core/migration-spec.js';
import type { ObjectRef } from './plan.js';
import { ACCESS_KINDS, readDeployManifests, type Manifest } from './deploy-manifests.js';

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

const INSTALLED_KINDS = [...ACCESS_KINDS, 'DaemonSet'];

/** Namespace, ServiceAccounts, RBAC, the Migration CRD and the agent DaemonSet from deploy/. */
export function deployManifests(deployDir: string): Promise<Manifest[]> {
  return readDeployManifests(deployDir, INSTALLED_KINDS);
}

export const refOf = (m: Manifest): ObjectRef => {
  const meta = (m.metadata ?? {}) as { name?: string; namespace?: string };
  return { kind: m.kind, apiVersion: m.apiVersion, name: meta.name ?? '', ...(meta.namespace ? { namespace: meta.namespace } : {}) };
};

/**
 * Create what is absent of deploy/'s namespace, ServiceAccounts, RBAC, Migration CRD and agent DaemonSet,
 * with the owner's labels and the agents placed on the simulated nodes only.
 */
export async function installDeployManifests(kc: KubeConfig, deployDir: string, owner: Pick<SeedOptions, 'labels' | 'placement'> = {}): Promise<void> {
  const objects = KubernetesObjectApi.makeApiClient(kc);
  for (const m of await deployManifests(deployDir)) await createIfAbsent(() => objects.create(stamp(m, owner)));
}

/** Create the Migration `name`, unpaused. One that exists already is not the run's: it is never taken over. */
export async function createMigration(kc: KubeConfig, spec: MigrationSpecInput, owner: { name: string; labels?: Record<string, string> }): Promise<void> {
  const custom = kc.makeApiClient(CustomObjectsApi);
  const ref = { group: MIGRATION_GROUP, version: MIGRATION_VERSION, plural: MIGRATION_PLURAL };
  const fullSpec = { paused: false, nodeSelector: '', drain: { deleteEmptyDirData: true, force: false }, validation: {}, ...spec };
  const body = {
    apiVersion: `${MIGRATION_GROUP}/${MIGRATION_VERSION}`,
    kind: 'Migration',
    metadata: { name: owner.name, ...(owner.labels ? { labels: owner.labels } : {}) },
    spec: fullSpec,
  };
  const existed = await createOrConflict(() => custom.createClusterCustomObject({ ...ref, body }));
  if (existed) throw new CniMigrateError('Conflict', `Migration ${owner.name} exists already and is not this run's; it was left as it is`);
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
