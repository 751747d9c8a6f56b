/**
 * The chaos run's judge: it watches the cluster through the API only (Nodes, Cilium pods, the Migration)
 * and checks the rollout's safety and liveness from outside, knowing nothing of the coordinator's memory.
 */
import { CoreV1Api, type KubeConfig, type V1Node, type V1Pod } from '@kubernetes/client-node';
import { CILIUM_MIGRATION_LABEL, CILIUM_MIGRATION_LABEL_VALUE, NodeAnnotation } from '../../shared/names.js';
import { watchList, type WatchedList } from '../../sim/demo/watch-cache.js';

interface NodeTrack {
  bootId: string | undefined;
  reboots: number;
  ciliumPodsDeleted: Set<string>;
}

export class OutsideView {
  private nodes: WatchedList<V1Node> | undefined;
  private pods: WatchedList<V1Pod> | undefined;
  private readonly tracks = new Map<string, NodeTrack>();
  maxCordoned = 0;

  constructor(
    private readonly kc: KubeConfig,
    private readonly scope: ReadonlySet<string>,
    /** Every Node change (the agent fleet restarts an agent once its node booted again). */
    private readonly onNode: (n: V1Node) => void = () => undefined,
  ) {}

  async start(): Promise<void> {
    const core = this.kc.makeApiClient(CoreV1Api);
    this.nodes = await watchList<V1Node>(this.kc, '/api/v1/nodes', () => core.listNode());
    this.nodes.list().forEach((n) => this.seeNode(n));
    this.nodes.onChange((n) => {
      this.seeNode(n);
      this.onNode(n);
    });
    const selector = 'k8s-app=cilium';
    this.pods = await watchList<V1Pod>(this.kc, '/api/v1/namespaces/kube-system/pods', () => core.listNamespacedPod({ namespace: 'kube-system', labelSelector: selector }), {
      labelSelector: selector,
    });
    const gone = (p: V1Pod): void => this.seeCiliumPodGoing(p);
    this.pods.onChange((p) => {
      if (p.metadata?.deletionTimestamp) gone(p);
    });
    this.pods.onDelete(gone);
  }

  async stop(): Promise<void> {
    await this.nodes?.stop();
    await this.pods?.stop();
  }

  private track(name: string): NodeTrack {
    let t = this.tracks.get(name);
    if (t === undefined) {
      t = { bootId: undefined, reboots: 0, ciliumPodsDeleted: new Set() };
      this.tracks.set(name, t);
    }
    return t;
  }

  private seeNode(n: V1Node): void {
    const name = n.metadata?.name ?? '';
    if (!this.scope.has(name)) return;
    const t = this.track(name);
    const bootId = n.status?.nodeInfo?.bootID;
    if (bootId !== undefined && t.bootId !== undefined && bootId !== t.bootId) t.reboots += 1;
    t.bootId = bootId ?? t.bootId;
    this.maxCordoned = Math.max(this.maxCordoned, this.cordonedNow());
  }

  private cordonedNow(): number {
    return (this.nodes?.list() ?? []).filter((m) => this.scope.has(m.metadata?.name ?? '') && m.spec?.unschedulable === true).length;
  }

  private seeCiliumPodGoing(p: V1Pod): void {
    const node = p.spec?.nodeName;
    if (node !== undefined && this.scope.has(node)) this.track(node).ciliumPodsDeleted.add(p.metadata?.uid ?? '');
  }

  /** Every broken invariant, one line each. */
  violations(concurrency: number): string[] {
    const out: string[] = [];
    if (this.maxCordoned > concurrency) out.push(`${this.maxCordoned} nodes cordoned at once (concurrency ${concurrency})`);
    for (const name of [...this.scope].sort()) out.push(...this.nodeViolations(name));
    return out;
  }

  private nodeViolations(name: string): string[] {
    const n: V1Node = this.nodes?.list().find((m) => m.metadata?.name === name) ?? {};
    const t = this.track(name);
    const annotations = n.metadata?.annotations ?? {};
    const attempts = Number(annotations[NodeAnnotation.attempt] ?? '0');
    const phase = annotations[NodeAnnotation.phase] ?? 'Pending';
    const labelled = (n.metadata?.labels ?? {})[CILIUM_MIGRATION_LABEL] === CILIUM_MIGRATION_LABEL_VALUE;
    const checks: [boolean, string][] = [
      [t.reboots !== 1, `rebooted ${t.reboots} times`],
      [!labelled, 'not labelled for Cilium'],
      [n.spec?.unschedulable === true, 'left cordoned'],
      [phase !== 'Done', `ended ${phase}`],
      [t.ciliumPodsDeleted.size > Math.max(1, attempts), `Cilium pod deleted ${t.ciliumPodsDeleted.size} times in ${attempts} attempt(s)`],
    ];
    return checks.filter(([broken]) => broken).map(([, what]) => `${name}: ${what}`);
  }

  migrated(): number {
    return (this.nodes?.list() ?? []).filter((n) => this.scope.has(n.metadata?.name ?? '') && n.metadata?.annotations?.[NodeAnnotation.phase] === 'Done').length;
  }
}
