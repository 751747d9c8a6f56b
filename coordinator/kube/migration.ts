/**
 * The `Migration` custom resource (cluster-scoped): watched for the operator's spec, its status written
 * through the status subresource, its spec merge-patched by the operator commands.
 */
import {
  CustomObjectsApi,
  makeInformer,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { z } from 'zod';
import type { Logger } from '../../shared/logger.js';
import {
  MIGRATION_DEFAULT_NAME,
  MIGRATION_GROUP,
  MIGRATION_PLURAL,
  MIGRATION_VERSION,
} from '../../shared/names.js';
import { isNotFound, kubeCall, kubeError } from './api-errors.js';
import { watchedFrom, type Watched } from './watched.js';
import { apiClient } from './api-client.js';

export interface MigrationObject extends KubernetesObject {
  spec?: unknown;
  status?: unknown;
}

export interface MigrationApi {
  get(): Promise<MigrationObject | undefined>;
  /** Writes the whole status: a field it leaves out (haltReason after a retry) is removed, not kept. */
  patchStatus(status: object): Promise<void>;
  patchSpec(spec: Record<string, unknown>): Promise<void>;
}

const MigrationObjectSchema = z.looseObject({
  apiVersion: z.string().optional(),
  kind: z.string().optional(),
  metadata: z
    .looseObject({
      name: z.string().optional(),
      resourceVersion: z.string().optional(),
      generation: z.number().optional(),
    })
    .optional(),
  spec: z.unknown().optional(),
  status: z.unknown().optional(),
});

const MigrationListSchema = z.looseObject({
  metadata: z.looseObject({ resourceVersion: z.string().optional() }).optional(),
  items: z.array(MigrationObjectSchema),
});

export const migrationPath = `/apis/${MIGRATION_GROUP}/${MIGRATION_VERSION}/${MIGRATION_PLURAL}`;
const coords = { group: MIGRATION_GROUP, version: MIGRATION_VERSION, plural: MIGRATION_PLURAL };

/** Status fields that may be absent: a merge patch must null them, or an old value survives. */
const OPTIONAL_STATUS_FIELDS = ['haltReason'] as const;

/** The merge patch that makes the stored status equal `status` (top level; arrays are replaced whole). */
export function statusMergePatch(status: object): Record<string, unknown> {
  const patch: Record<string, unknown> = { ...status };
  for (const field of OPTIONAL_STATUS_FIELDS) patch[field] ??= null;
  return patch;
}

export function migrationApi(kc: KubeConfig, name = MIGRATION_DEFAULT_NAME): MigrationApi {
  const api = apiClient(kc, CustomObjectsApi);
  const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
  return {
    get: async () => {
      try {
        return MigrationObjectSchema.parse(await api.getClusterCustomObject({ ...coords, name }));
      } catch (e) {
        if (isNotFound(e)) return undefined;
        throw kubeError(`read Migration ${name}`, e);
      }
    },
    patchStatus: async (status) => {
      await kubeCall(`write Migration ${name} status`, () =>
        api.patchClusterCustomObjectStatus({ ...coords, name, body: { status: statusMergePatch(status) } }, merge),
      );
    },
    patchSpec: async (spec) => {
      await kubeCall(`patch Migration ${name} spec`, () =>
        api.patchClusterCustomObject({ ...coords, name, body: { spec } }, merge),
      );
    },
  };
}

export function watchMigrations(kc: KubeConfig, log: Logger): Watched<MigrationObject> {
  const api = apiClient(kc, CustomObjectsApi);
  const list = async (): Promise<KubernetesListObject<MigrationObject>> =>
    MigrationListSchema.parse(await api.listClusterCustomObject(coords));
  return watchedFrom(makeInformer<MigrationObject>(kc, migrationPath, list), log, 'migrations');
}
