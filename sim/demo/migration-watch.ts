/** Watching the run's Migration's status: the demo ends when it is Completed, or Halted with nothing in flight. */
import { CustomObjectsApi, type KubeConfig, type KubernetesListObject, type KubernetesObject } from '@kubernetes/client-node';
import { z } from 'zod';
import { MIGRATION_GROUP, MIGRATION_PLURAL, MIGRATION_VERSION } from '../../shared/names.js';
import { watchList, type WatchedList } from './watch-cache.js';

const MigrationSchema = z.looseObject({
  metadata: z.looseObject({ name: z.string(), resourceVersion: z.string().optional() }),
  status: z
    .looseObject({
      phase: z.string().optional(),
      migrated: z.number().optional(),
      inFlight: z.number().optional(),
      haltReason: z.string().optional(),
    })
    .optional(),
});
export type MigrationObject = z.infer<typeof MigrationSchema> & KubernetesObject;

const MigrationListSchema = z.looseObject({
  metadata: z.looseObject({ resourceVersion: z.string().optional() }).optional(),
  items: z.array(MigrationSchema),
});

/** Watches the Migration `name` only (a cluster may hold others that are not the demo's). */
export function watchMigrations(kc: KubeConfig, name: string): Promise<WatchedList<MigrationObject>> {
  const custom = kc.makeApiClient(CustomObjectsApi);
  const fieldSelector = `metadata.name=${name}`;
  const list = async (): Promise<KubernetesListObject<MigrationObject>> => {
    const raw: unknown = await custom.listClusterCustomObject({
      group: MIGRATION_GROUP,
      version: MIGRATION_VERSION,
      plural: MIGRATION_PLURAL,
      fieldSelector,
    });
    const parsed = MigrationListSchema.parse(raw);
    return { metadata: parsed.metadata ?? {}, items: parsed.items };
  };
  return watchList(kc, `/apis/${MIGRATION_GROUP}/${MIGRATION_VERSION}/${MIGRATION_PLURAL}`, list, { fieldSelector });
}

export type RolloutEnd = { kind: 'completed' } | { kind: 'halted'; reason: string };

/** The rollout's end, once the coordinator's status shows one. */
export function rolloutEnd(m: MigrationObject | undefined): RolloutEnd | undefined {
  const status = m?.status;
  if (status?.phase === 'Completed') return { kind: 'completed' };
  if (status?.phase === 'Halted' && (status.inFlight ?? 0) === 0) return { kind: 'halted', reason: status.haltReason ?? '' };
  return undefined;
}
