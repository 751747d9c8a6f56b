/**
 * The Calico objects worth keeping (pools, Felix/BGP configuration, policies, network sets, host endpoints,
 * and the operator's Installation), read from the cluster and written into ConfigMaps in the coordinator's
 * namespace before anything of Calico is removed. Re-runnable: each ConfigMap is created or replaced.
 */
import { CoreV1Api, CustomObjectsApi, type KubeConfig, type V1ConfigMap } from '@kubernetes/client-node';
import { z } from 'zod';
import { APP_LABEL, COMPONENT_LABEL } from '../../shared/names.js';
import { BACKUP_PLURALS } from '../core/stages/calico-removal.js';
import { packBackup, unpackBackup, type PlainObject } from '../core/stages/backup-pack.js';
import type { BackupRecord } from '../core/stages/record.js';
import { isConflict, isNotFound, kubeCall, kubeError } from './api-errors.js';
import { apiClient } from './api-client.js';

export const BACKUP_COMPONENT = 'calico-backup';
const ListSchema = z.looseObject({ apiVersion: z.string().optional(), kind: z.string().optional(), items: z.array(z.record(z.string(), z.unknown())) });

/** Each item with its apiVersion and kind (the list's, `IPPoolList` → `IPPool`), so the backup can be applied as is. */
function withTypes(list: z.infer<typeof ListSchema>): PlainObject[] {
  const types = { ...(list.apiVersion ? { apiVersion: list.apiVersion } : {}), ...(list.kind ? { kind: list.kind.replace(/List$/, '') } : {}) };
  return list.items.map((item) => ({ ...types, ...item }));
}

export interface CalicoBackupApi {
  /** Every Calico object worth keeping, by plural (kinds whose CRD is absent are left out). */
  collect(): Promise<Map<string, PlainObject[]>>;
  /** Collects and writes the backup ConfigMaps. */
  store(): Promise<BackupRecord>;
  /** The objects the backup ConfigMaps hold, by plural (empty when there is no stored backup). */
  stored(): Promise<Map<string, PlainObject[]>>;
}

export function calicoBackupApi(kc: KubeConfig, namespace: string): CalicoBackupApi {
  const custom = apiClient(kc, CustomObjectsApi);
  const core = apiClient(kc, CoreV1Api);
  const list = async (group: string, plural: string): Promise<PlainObject[]> => {
    try {
      return withTypes(ListSchema.parse(await custom.listClusterCustomObject({ group, version: 'v1', plural })));
    } catch (e) {
      if (isNotFound(e)) return [];
      throw kubeError(`list ${plural}.${group}`, e);
    }
  };
  const collect = async (): Promise<Map<string, PlainObject[]>> => {
    const out = new Map<string, PlainObject[]>();
    for (const plural of BACKUP_PLURALS) out.set(plural, await list('crd.projectcalico.org', plural));
    out.set('installations.operator.tigera.io', await list('operator.tigera.io', 'installations'));
    return out;
  };
  const write = async (cm: V1ConfigMap): Promise<void> => {
    const name = cm.metadata?.name ?? '';
    try {
      await core.createNamespacedConfigMap({ namespace, body: cm });
    } catch (e) {
      if (!isConflict(e)) throw kubeError(`create ConfigMap ${namespace}/${name}`, e);
      await kubeCall(`replace ConfigMap ${namespace}/${name}`, () => core.replaceNamespacedConfigMap({ namespace, name, body: cm }));
    }
  };
  return {
    collect,
    store: async () => {
      const packed = packBackup(await collect());
      for (const cm of packed.configMaps) {
        await write({
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: cm.name, namespace, labels: { [APP_LABEL]: 'cni-migrate', [COMPONENT_LABEL]: BACKUP_COMPONENT } },
          data: cm.data,
        });
      }
      return { objects: packed.objects, configMaps: packed.configMaps.map((c) => c.name), kinds: packed.kinds };
    },
    stored: async () => {
      const selector = `${APP_LABEL}=cni-migrate,${COMPONENT_LABEL}=${BACKUP_COMPONENT}`;
      const list = await kubeCall(`list the backup ConfigMaps in ${namespace}`, () => core.listNamespacedConfigMap({ namespace, labelSelector: selector }));
      return unpackBackup(list.items.map((cm) => ({ name: cm.metadata?.name ?? '', data: cm.data ?? {} })));
    },
  };
}
