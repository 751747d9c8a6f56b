/**
 * The stages' ports over a scripted cluster: cilium-config (promoted by a "helm upgrade" the test runs, or
 * by the coordinator's patch), the CiliumNodeConfig, Calico's objects (an operator-installed Installation
 * whose finalizer clears only while the operator exists), its CRDs and the backup ConfigMaps.
 */
import type { StageKube } from '../../../coordinator/engine/stage-kube.js';
import { refKey, type ObjectPresence, type ObjectRef } from '../../../coordinator/core/stages/calico-removal.js';
import { PROMOTED_CONFIG } from '../../../coordinator/core/stages/promotion.js';
import type { FakeCluster } from './fake-cluster.js';

const key = (apiVersion: string, resource: string, name: string, namespace = ''): string => `${apiVersion}/${resource}/${namespace}/${name}`;
export const OPERATOR_OBJECTS = [
  key('operator.tigera.io/v1', 'apiservers', 'default'),
  key('apiregistration.k8s.io/v1', 'apiservices', 'v3.projectcalico.org'),
  key('operator.tigera.io/v1', 'installations', 'default'),
  key('v1', 'namespaces', 'calico-system'),
  key('apps/v1', 'deployments', 'tigera-operator', 'tigera-operator'),
  key('v1', 'namespaces', 'tigera-operator'),
];
const INSTALLATION = OPERATOR_OBJECTS[2] ?? '';
const OPERATOR = OPERATOR_OBJECTS[4] ?? '';

export class FakeStages {
  ciliumConfig: Record<string, string> = { 'custom-cni-conf': 'true', 'enable-policy': 'never', 'unmanaged-pod-watcher-interval': '0' };
  nodeConfig = true;
  readonly objects = new Map<string, ObjectPresence>(OPERATOR_OBJECTS.map((k) => [k, { deleting: false, finalizers: [] }]));
  crds = ['felixconfigurations.crd.projectcalico.org', 'installations.operator.tigera.io', 'ippools.crd.projectcalico.org'];
  backups = 0;
  /** Every delete, in order (what the removal order is checked against). */
  readonly deleted: string[] = [];

  constructor(private readonly cluster: FakeCluster) {}

  /** What `helm upgrade … --set cni.customConf=false …` does to cilium-config. */
  helmUpgrade(): void {
    this.ciliumConfig = { ...this.ciliumConfig, ...PROMOTED_CONFIG };
  }

  /** The Tigera operator runs again: it finishes a terminating Installation (and calico-system) by itself. */
  operatorReturns(): void {
    this.objects.set(OPERATOR, { deleting: false, finalizers: [] });
    if (this.objects.get(INSTALLATION)?.deleting === true) {
      this.objects.delete(INSTALLATION);
      this.objects.delete(key('v1', 'namespaces', 'calico-system'));
    }
  }

  private remove(k: string): void {
    this.deleted.push(k);
    if (k === INSTALLATION && this.objects.has(OPERATOR)) {
      // Its finalizer clears only while the operator runs; the operator also takes calico-system away.
      this.objects.delete(k);
      this.objects.delete(key('v1', 'namespaces', 'calico-system'));
      return;
    }
    if (k === INSTALLATION) {
      this.objects.set(k, { deleting: true, finalizers: ['tigera.io/operator-cleanup'] });
      return;
    }
    this.objects.delete(k);
    if (k === OPERATOR_OBJECTS[0]) this.objects.delete(OPERATOR_OBJECTS[1] ?? '');
  }

  ports(): StageKube {
    const later = <T>(f: () => T): Promise<T> => Promise.resolve().then(f);
    return {
      promotion: {
        readConfig: () => later(() => ({ metadata: { name: 'cilium-config' }, data: { ...this.ciliumConfig } })),
        patchConfig: (data) => later(() => void (this.ciliumConfig = { ...this.ciliumConfig, ...data })),
        restartCiliumDaemonSet: (at) => later(() => this.cluster.restartCiliumDaemonSet(at)),
        nodeConfigPresent: () => later(() => this.nodeConfig),
        deleteNodeConfig: () => later(() => void (this.nodeConfig = false)),
      },
      calico: {
        presence: (refs: readonly ObjectRef[]) =>
          later(() => new Map(refs.flatMap((r) => (this.objects.has(refKey(r)) ? [[refKey(r), this.objects.get(refKey(r)) as ObjectPresence] as const] : [])))),
        remove: (r) => later(() => this.remove(refKey(r))),
        crds: () => later(() => [...this.crds]),
        removeCrd: (name) => later(() => void (this.crds = this.crds.filter((c) => c !== name))),
      },
      backup: {
        collect: () => later(() => new Map()),
        stored: () => later(() => new Map()),
        store: () =>
          later(() => {
            this.backups += 1;
            return { objects: 2, configMaps: ['cni-migrate-calico-backup-0'], kinds: { ippools: 1, felixconfigurations: 1 } };
          }),
      },
    };
  }
}
