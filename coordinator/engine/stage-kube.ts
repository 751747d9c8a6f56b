/** The stages' Kubernetes ports, bundled (the real adapters, or a test's fakes). */
import type { KubeConfig } from '@kubernetes/client-node';
import { calicoBackupApi, type CalicoBackupApi } from '../kube/calico-backup.js';
import { calicoObjectsApi, ciliumPromotionApi, type CalicoObjectsApi, type CiliumPromotionApi } from '../kube/stage-objects.js';

export { RESTARTED_AT_ANNOTATION } from '../kube/stage-objects.js';

export interface StageKube {
  promotion: CiliumPromotionApi;
  calico: CalicoObjectsApi;
  backup: CalicoBackupApi;
}

export function stageKubeFrom(kc: KubeConfig, namespace: string): StageKube {
  return { promotion: ciliumPromotionApi(kc), calico: calicoObjectsApi(kc), backup: calicoBackupApi(kc, namespace) };
}
