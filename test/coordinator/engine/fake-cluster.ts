/**
 * A scripted in-memory cluster behind the engine's narrow interfaces: nodes, pods (with a Cilium pod per
 * node that its "DaemonSet" re-creates), evictions with scriptable PDB refusals, Leases with optimistic
 * concurrency, Events and the Migration object. It records what the tests assert on: the most nodes
 * ever in flight, reboots and Done transitions per node.
 */
import type { V1DaemonSet, V1Node, V1Pod, V1PodDisruptionBudget } from '@kubernetes/client-node';
import { CniMigrateError } from '../../../shared/errors.js';
import { CILIUM_NAMESPACE, LEADER_LEASE_NAME, MIGRATION_DEFAULT_NAME, NodeAnnotation } from '../../../shared/names.js';
import { isInFlight, PhaseSchema } from '../../../shared/phases.js';
import type { Cluster } from '../../../coordinator/engine/cluster.js';
import type { NodeEvent } from '../../../coordinator/kube/events.js';
import type { LeaseRecord } from '../../../coordinator/kube/leases.js';
import type { MigrationObject } from '../../../coordinator/kube/migration.js';
import type { NodePatch } from '../../../coordinator/kube/nodes.js';
import type { EvictionOutcome } from '../../../coordinator/kube/pods.js';
import type { Watched } from '../../../coordinator/kube/watched.js';
import { RESTARTED_AT_ANNOTATION, type StageKube } from '../../../coordinator/engine/stage-kube.js';
import { nodeInfo } from '../../support/node-info.js';
import type { RawClusterObjects } from '../../../coordinator/core/facts/index.js';
import { seedLikeCluster } from '../../support/cluster-objects.js';

type Listener<T> = (obj: T) => void;

const isPlain = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** RFC 7386 JSON merge patch, as the API server applies a merge-patched status. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlain(patch)) return patch;
  const out: Record<string, unknown> = isPlain(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

class Store<T extends { metadata?: { name?: string; namespace?: string } }> {
  readonly items = new Map<string, T>();
  readonly listeners = new Set<Listener<T>>();
  constructor(private readonly keyOf: (o: T) => string = (o) => o.metadata?.name ?? '') {}
  put(o: T): void {
    this.items.set(this.keyOf(o), o);
    this.listeners.forEach((l) => l(o));
  }
  remove(o: T): void {
    this.items.delete(this.keyOf(o));
    this.listeners.forEach((l) => l(o));
  }
  watched(filter: (o: T) => boolean = () => true): Watched<T> {
    const subs = new Set<Listener<T>>();
    return {
      list: () => [...this.items.values()].filter(filter),
      get: (name, ns) => [...this.items.values()].find((o) => o.metadata?.name === name && (ns === undefined || o.metadata?.namespace === ns)),
      onChange: (cb) => {
        const l: Listener<T> = (o) => filter(o) && cb(o);
        this.listeners.add(l);
        subs.add(l);
        return () => this.listeners.delete(l);
      },
      start: () => Promise.resolve(),
      stop: () => {
        subs.forEach((l) => this.listeners.delete(l));
        return Promise.resolve();
      },
    };
  }
}


const uuid = (n: number): string => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
const podKey = (p: V1Pod): string => `${p.metadata?.namespace ?? ''}/${p.metadata?.name ?? ''}`;

export interface FakeNodeSpec {
  name: string;
  controlPlane?: boolean;
  unschedulable?: boolean;
  /** The node's topology.kubernetes.io/zone label. */
  zone?: string;
}

export class FakeCluster {
  rv = 1;
  private seq = 1;
  readonly nodes = new Store<V1Node>();
  readonly pods = new Store<V1Pod>(podKey);
  readonly leases = new Map<string, LeaseRecord>();
  readonly migrations = new Store<MigrationObject>();
  readonly events: NodeEvent[] = [];
  pdbs: V1PodDisruptionBudget[] = [];
  /** What pre-flight reads: Calico on 10.244.0.0/16 and Cilium in secondary mode on 10.245.0.0/16. */
  clusterObjects: RawClusterObjects = seedLikeCluster();
  /** While set, pre-flight's read of the cluster waits on it (a slow API server during a new term's check). */
  preflightHold: Promise<void> | undefined;
  /** Pods whose eviction is refused with 429. */
  readonly blockedEvictions = new Set<string>();
  /** Nodes whose replacement Cilium pods never become Ready. */
  readonly ciliumBroken = new Set<string>();
  readonly reboots = new Map<string, number>();
  /** The next this many lists of the Leases answer 503 (a transient failure). */
  leaseListFailures = 0;
  /** Writes of the leader Lease that gave it up (no holder). */
  leaderReleases = 0;
  readonly doneCount = new Map<string, number>();
  maxInFlight = 0;
  /** ds/cilium's pod-template restartedAt annotation, and how many times a restart changed it. */
  ciliumDaemonSetRestartedAt: string | undefined;
  ciliumDaemonSetRestarts = 0;
  /** The stages' ports, when a test runs the cluster-level stages. */
  stageKube: StageKube | undefined;
  /** No Cilium DaemonSet at all. */
  ciliumUninstalled = false;
  /** Called after every node write with the node's phase annotation. */
  onPhase: (node: string, phase: string | undefined) => void = () => undefined;

  constructor(specs: FakeNodeSpec[]) {
    for (const s of specs) this.addNode(s);
    this.setMigration({ concurrency: 1 });
  }

  private nextRv(): string {
    return String(++this.rv);
  }

  addNode(s: FakeNodeSpec): void {
    this.nodes.put({
      metadata: {
        name: s.name,
        uid: uuid(this.seq++),
        resourceVersion: this.nextRv(),
        labels: {
          ...(s.controlPlane ? { 'node-role.kubernetes.io/control-plane': '' } : {}),
          ...(s.zone ? { 'topology.kubernetes.io/zone': s.zone } : {}),
        },
        annotations: {},
      },
      spec: s.unschedulable ? { unschedulable: true } : {},
      status: { conditions: [{ type: 'Ready', status: 'True' }], nodeInfo: nodeInfo(uuid(this.seq++)) },
    });
    this.addCiliumPod(s.name, true);
    this.addPod({ name: `web-${s.name}`, node: s.name, ip: `10.244.${this.seq}.10` });
  }

  addPod(p: { name: string; node: string; ip: string; namespace?: string; owner?: string; labels?: Record<string, string> }): void {
    this.pods.put({
      metadata: {
        name: p.name,
        namespace: p.namespace ?? 'app',
        uid: `uid-${this.seq++}`,
        labels: p.labels ?? { app: 'web' },
        ownerReferences: [{ apiVersion: 'apps/v1', kind: p.owner ?? 'ReplicaSet', name: 'web', uid: 'rs', controller: true }],
      },
      spec: { nodeName: p.node, containers: [] },
      status: { phase: 'Running', podIP: p.ip, conditions: [{ type: 'Ready', status: 'True' }] },
    });
  }

  addCiliumPod(node: string, ready: boolean): void {
    this.pods.put({
      metadata: {
        name: `cilium-${this.seq}`,
        namespace: CILIUM_NAMESPACE,
        uid: `cilium-uid-${this.seq++}`,
        labels: { 'k8s-app': 'cilium' },
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'cilium', uid: 'ds', controller: true }],
      },
      spec: { nodeName: node, hostNetwork: true, containers: [] },
      status: { phase: 'Running', podIP: '192.168.0.1', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
    });
  }

  node(name: string): V1Node {
    const n = this.nodes.items.get(name);
    if (!n) throw new Error(`no node ${name}`);
    return n;
  }

  phaseOf(name: string): string | undefined {
    return this.node(name).metadata?.annotations?.[NodeAnnotation.phase];
  }

  bootIdOf(name: string): string {
    return this.node(name).status?.nodeInfo?.bootID ?? '';
  }

  setMigration(spec: Record<string, unknown>): void {
    const old = this.migrations.items.get(MIGRATION_DEFAULT_NAME);
    this.migrations.put({ metadata: { name: MIGRATION_DEFAULT_NAME, resourceVersion: this.nextRv() }, spec, status: old?.status });
  }

  migrationStatus(): Record<string, unknown> {
    return (this.migrations.items.get(MIGRATION_DEFAULT_NAME)?.status ?? {}) as Record<string, unknown>;
  }

  /** The node reboots: new boot id; Ready again at once unless `hang` (no new boot) or `notReady` (booted, never Ready). */
  reboot(name: string, hang = false, notReady = false): void {
    this.reboots.set(name, (this.reboots.get(name) ?? 0) + 1);
    const n = structuredClone(this.node(name));
    if (hang) n.status = { ...n.status, conditions: [{ type: 'Ready', status: 'Unknown' }] };
    else n.status = { ...n.status, nodeInfo: nodeInfo(uuid(this.seq++)), ...(notReady ? { conditions: [{ type: 'Ready', status: 'False' }] } : {}) };
    n.metadata = { ...n.metadata, resourceVersion: this.nextRv() };
    this.nodes.put(n);
  }

  private countInFlight(): void {
    const n = [...this.nodes.items.values()].filter((x) => {
      const p = PhaseSchema.safeParse(x.metadata?.annotations?.[NodeAnnotation.phase]);
      return p.success && isInFlight(p.data) && p.data !== 'Halted';
    }).length;
    this.maxInFlight = Math.max(this.maxInFlight, n);
  }

  patchNode(name: string, p: NodePatch): V1Node {
    const n = structuredClone(this.node(name));
    const merge = (into: Record<string, string>, patch: Record<string, string | null> | undefined) => {
      for (const [k, v] of Object.entries(patch ?? {})) if (v === null) delete into[k]; else into[k] = v;
      return into;
    };
    const before = n.metadata?.annotations?.[NodeAnnotation.phase];
    n.metadata = {
      ...n.metadata,
      resourceVersion: this.nextRv(),
      labels: merge({ ...n.metadata?.labels }, p.labels),
      annotations: merge({ ...n.metadata?.annotations }, p.annotations),
    };
    if (p.unschedulable !== undefined) n.spec = { ...n.spec, unschedulable: p.unschedulable };
    this.nodes.put(n);
    this.recordPhaseChange(name, before, n.metadata.annotations?.[NodeAnnotation.phase]);
    return structuredClone(n);
  }

  private recordPhaseChange(name: string, before: string | undefined, after: string | undefined): void {
    if (after === 'Done' && before !== 'Done') this.doneCount.set(name, (this.doneCount.get(name) ?? 0) + 1);
    this.countInFlight();
    if (after !== before) this.onPhase(name, after);
  }

  private evict(ref: { namespace: string; name: string }): EvictionOutcome {
    const pod = this.pods.items.get(`${ref.namespace}/${ref.name}`);
    if (!pod) return { kind: 'gone' };
    if (this.blockedEvictions.has(ref.name)) {
      return { kind: 'blocked', message: 'Cannot evict pod as it would violate the pod\'s disruption budget.' };
    }
    this.pods.remove(pod);
    return { kind: 'evicted' };
  }

  private deleteCilium(ref: { namespace: string; name: string }, uid: string): void {
    const pod = this.pods.items.get(`${ref.namespace}/${ref.name}`);
    if (!pod || pod.metadata?.uid !== uid) return;
    this.pods.remove(pod);
    const node = pod.spec?.nodeName ?? '';
    this.addCiliumPod(node, !this.ciliumBroken.has(node));
  }

  private listLeases(): LeaseRecord[] {
    if (this.leaseListFailures > 0) {
      this.leaseListFailures -= 1;
      throw new CniMigrateError('KubeApi', 'list leases: Service Unavailable', { cause: Object.assign(new Error('HTTP-Code: 503'), { code: 503 }) });
    }
    return [...this.leases.values()];
  }

  private writeLease(r: LeaseRecord): LeaseRecord {
    const cur = this.leases.get(r.name);
    if (r.name === LEADER_LEASE_NAME && cur?.holder && !r.holder) this.leaderReleases += 1;
    if ((cur && cur.resourceVersion !== r.resourceVersion) || (!cur && r.resourceVersion)) {
      throw new CniMigrateError('Conflict', `lease ${r.name}: conflict`);
    }
    const written = { ...r, resourceVersion: this.nextRv() };
    this.leases.set(r.name, written);
    return written;
  }

  /** The Cilium DaemonSet as its controller would report it: one pod per node, Ready as the pods are. */
  ciliumDaemonSet(): V1DaemonSet {
    const pods = [...this.pods.items.values()].filter((p) => p.metadata?.labels?.['k8s-app'] === 'cilium');
    const ready = pods.filter((p) => !p.metadata?.deletionTimestamp && p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
    const desired = this.ciliumUninstalled ? 0 : this.nodes.items.size;
    const generation = 1 + this.ciliumDaemonSetRestarts;
    const annotations = this.ciliumDaemonSetRestartedAt ? { [RESTARTED_AT_ANNOTATION]: this.ciliumDaemonSetRestartedAt } : undefined;
    return {
      metadata: { name: 'cilium', namespace: CILIUM_NAMESPACE, generation },
      spec: { selector: {}, template: { metadata: { ...(annotations ? { annotations } : {}) }, spec: { containers: [{ name: 'cilium-agent', image: 'quay.io/cilium/cilium:v1.15.6' }] } } },
      status: { observedGeneration: generation, desiredNumberScheduled: desired, updatedNumberScheduled: desired, numberReady: ready.length, currentNumberScheduled: desired, numberMisscheduled: 0 },
    };
  }

  private ciliumDaemonSetView(): Watched<V1DaemonSet> {
    const pods = this.pods.watched((p) => p.metadata?.labels?.['k8s-app'] === 'cilium');
    return {
      list: () => (this.ciliumUninstalled ? [] : [this.ciliumDaemonSet()]),
      get: () => (this.ciliumUninstalled ? undefined : this.ciliumDaemonSet()),
      onChange: (cb) => pods.onChange(() => cb(this.ciliumDaemonSet())),
      start: () => pods.start(),
      stop: () => pods.stop(),
    };
  }

  /** The engine's view of this cluster (a fresh set of watches per engine). */
  ports(): Cluster {
    const later = <T>(f: () => T): Promise<T> => Promise.resolve().then(f);
    return {
      nodes: {
        patch: (name, p) => later(() => this.patchNode(name, p)),
        namesMatching: (sel) =>
          later(() =>
            [...this.nodes.items.values()]
              .filter((n) => sel.split(',').filter((x) => x).every((kv) => {
                const [k, v] = kv.split('=');
                return n.metadata?.labels?.[k ?? ''] === v;
              }))
              .map((n) => n.metadata?.name ?? ''),
          ),
      },
      nodeCache: this.nodes.watched(),
      pods: {
        evict: (ref) => later(() => this.evict(ref)),
        deleteIfUid: (ref, uid) => later(() => this.deleteCilium(ref, uid)),
        listNodePods: (node) => later(() => ({ items: [...this.pods.items.values()].filter((p) => p.spec?.nodeName === node), resourceVersion: undefined })),
        watchNodePods: (node) => this.pods.watched((p) => p.spec?.nodeName === node),
        runningPods: () => later(() => [...this.pods.items.values()].filter((p) => p.status?.phase === 'Running')),
      },
      ciliumPods: this.pods.watched((p) => p.metadata?.labels?.['k8s-app'] === 'cilium'),
      leases: {
        get: (name) => later(() => this.leases.get(name)),
        list: () => later(() => this.listLeases()),
        write: (r) => later(() => this.writeLease(r)),
      },
      events: { emit: (e) => later(() => void this.events.push(e)) },
      pdbs: {
        inNamespace: (ns) => later(() => this.pdbs.filter((b) => b.metadata?.namespace === ns)),
        all: () => later(() => [...this.pdbs]),
      },
      clusterObjects: { read: () => (this.preflightHold ?? Promise.resolve()).then(() => this.clusterObjects) },
      migration: {
        get: () => later(() => this.migrations.items.get(MIGRATION_DEFAULT_NAME)),
        patchStatus: (status) =>
          later(() => {
            const m = this.migrations.items.get(MIGRATION_DEFAULT_NAME);
            if (m) this.migrations.put({ ...m, status: mergePatch(m.status, status), metadata: { ...m.metadata, resourceVersion: this.nextRv() } });
          }),
        patchSpec: (spec) => later(() => this.setMigration(mergePatch(this.migrations.items.get(MIGRATION_DEFAULT_NAME)?.spec, spec) as Record<string, unknown>)),
      },
      migrationCache: this.migrations.watched(),
      ciliumDaemonSet: this.ciliumDaemonSetView(),
      ...(this.stageKube ? { stages: this.stageKube } : {}),
    };
  }

  /** What `kubectl rollout restart` does to the fake DaemonSet: a new template (only when the stamp changes). */
  restartCiliumDaemonSet(restartedAt: string): void {
    if (this.ciliumDaemonSetRestartedAt === restartedAt) return;
    this.ciliumDaemonSetRestartedAt = restartedAt;
    this.ciliumDaemonSetRestarts += 1;
  }
}
