/**
 * Gathers the stage decision's observations: only what the current step needs is read from the API (a
 * stage pass runs only once every node is migrated); the rest comes from the watch caches and the Nodes'
 * recorded order results.
 */
import type { V1DaemonSet } from '@kubernetes/client-node';
import { CILIUM_DAEMONSET, CILIUM_NAMESPACE } from '../../shared/names.js';
import { ciliumRolloutProblem } from '../core/cilium-readiness.js';
import type { NodeState } from '../core/node-state.js';
import { refsOf, removalPlan, type ObjectPresence, type ObjectRef } from '../core/stages/calico-removal.js';
import type { ClusterObservations } from '../core/stages/index.js';
import { chartVersionOfImage, promotionMissing, type HelmRelease } from '../core/stages/promotion.js';
import type { BackupRecord, InstallMethod, StageRecord } from '../core/stages/record.js';
import type { NodeResult } from '../core/stages/rounds.js';
import type { Cluster } from './cluster.js';
import { RESTARTED_AT_ANNOTATION, type StageKube } from './stage-kube.js';

const installation: ObjectRef = { apiVersion: 'operator.tigera.io/v1', resource: 'installations', kind: 'Installation', name: 'default' };
const calicoNode: ObjectRef = { apiVersion: 'apps/v1', resource: 'daemonsets', kind: 'DaemonSet', name: 'calico-node', namespace: 'kube-system' };

export interface ObserveInput {
  record: StageRecord | undefined;
  states: ReadonlyMap<string, NodeState>;
  /** In-scope nodes, in migration order. */
  scope: readonly string[];
  backup: BackupRecord | { error: string } | undefined;
  /** `spec.stages.retryAttempt`: the halted attempt the operator asked to retry. */
  retryAttempt: number | undefined;
}

function helmOf(annotations: Record<string, string> | undefined, ds: V1DaemonSet | undefined): HelmRelease | undefined {
  const name = annotations?.['meta.helm.sh/release-name'];
  if (!name) return undefined;
  const image = ds?.spec?.template.spec?.containers[0]?.image;
  return { name, namespace: annotations['meta.helm.sh/release-namespace'] ?? CILIUM_NAMESPACE, chartVersion: chartVersionOfImage(image) };
}

export class StageObserver {
  constructor(
    private readonly cluster: Cluster,
    private readonly kube: StageKube,
  ) {}

  private step(r: StageRecord | undefined): string {
    return r ? `${r.stage}/${r.step}` : '';
  }

  private async promotion(r: StageRecord | undefined, ds: V1DaemonSet | undefined): Promise<Pick<ClusterObservations, 'promotionMissing' | 'helm'>> {
    if (this.step(r) !== 'Promote/AwaitingPromotion') return { promotionMissing: [], helm: undefined };
    const cm = await this.kube.promotion.readConfig();
    return { promotionMissing: promotionMissing(cm?.data), helm: helmOf(cm?.metadata?.annotations, ds) };
  }

  private async installMethod(r: StageRecord | undefined): Promise<InstallMethod> {
    if (this.step(r) !== 'Promote/Done') return r?.method ?? 'none';
    const present = await this.kube.calico.presence([installation, calicoNode]);
    if (present.size === 0) return 'none';
    return present.has(`${installation.apiVersion}/${installation.resource}//${installation.name}`) ? 'operator' : 'manifest';
  }

  private results(r: StageRecord | undefined, states: ReadonlyMap<string, NodeState>): Map<string, NodeResult> {
    const out = new Map<string, NodeResult>();
    for (const e of r?.nodes ?? []) {
      const last = states.get(e.name)?.lastResult;
      if (e.state === 'Running' && last?.orderId === e.orderId) out.set(e.name, last);
    }
    return out;
  }

  private objects(r: StageRecord | undefined): Promise<Map<string, ObjectPresence>> {
    const method = r?.method ?? 'none';
    const removing = r?.stage === 'RemoveCalico' && removalPlan(method).some((s) => s.step === r.step);
    return removing ? this.kube.calico.presence(refsOf(method)) : Promise.resolve(new Map<string, ObjectPresence>());
  }

  async observe(i: ObserveInput): Promise<Omit<ClusterObservations, 'rebootNodes'>> {
    const r = i.record;
    const ds = this.cluster.ciliumDaemonSet.get(CILIUM_DAEMONSET, CILIUM_NAMESPACE);
    const [promotion, method, nodeConfigPresent, objects, crdsPresent] = await Promise.all([
      this.promotion(r, ds),
      this.installMethod(r),
      this.step(r) === 'Promote/DeletingNodeConfig' ? this.kube.promotion.nodeConfigPresent() : Promise.resolve(true),
      this.objects(r),
      this.step(r) === 'RemoveCrds/RemovingCrds' ? this.kube.calico.crds() : Promise.resolve([]),
    ]);
    return {
      nodesMigrated: i.scope.length > 0 && i.scope.every((n) => i.states.get(n)?.phase === 'Done'),
      nodes: i.scope,
      ...promotion,
      ciliumDaemonSetRestartedAt: ds?.spec?.template.metadata?.annotations?.[RESTARTED_AT_ANNOTATION],
      ciliumRolloutProblem: ciliumRolloutProblem(ds),
      nodeConfigPresent,
      installMethod: method,
      objects,
      backup: i.backup,
      crdsPresent,
      results: this.results(r, i.states),
      retryRequested: r?.haltReason !== undefined && i.retryAttempt === r.attempt,
    };
  }
}
