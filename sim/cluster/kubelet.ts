/**
 * The simulated kubelets: one process plays the kubelet of every simulated node (KWOK-style) over one node
 * informer and one pod informer. It registers the nodes, reports them, runs their pods, tracks the network
 * model from what it observes (label, Cilium pod re-creation, reboot), and reboots nodes on request.
 */
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import { randomUUID } from 'node:crypto';
import { CniMigrateError, describeError } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';
import { CILIUM_MIGRATION_LABEL, CILIUM_MIGRATION_LABEL_VALUE } from '../../shared/names.js';
import type { FaultBoard } from './faults.js';
import type { Cache, InformerSet } from './informers.js';
import { mergePatch, write, type KubeClients } from './kube.js';
import { readPools } from './cni-pools.js';
import { isCiliumPod, PodRunner } from './kubelet-pods.js';
import type { NodeNetwork } from './network-model.js';
import { NodeHeartbeats } from './node-heartbeat.js';
import type { SimNodeIdentity } from './node-objects.js';
import { NodeRegistry, type SimNodeState } from './node-registry.js';
import { isPodFinished, isTerminating } from './placement.js';
import { PodsByNode } from './pods-by-node.js';
import { forEachLimited } from './pool.js';
import { nodeDownConditions } from './pod-status.js';

export interface KubeletOptions {
  clients: KubeClients;
  informers: InformerSet;
  log: Logger;
  faults: FaultBoard;
  seed: number;
  /** How long a rebooting node stays down. */
  rebootDowntimeMs: number;
  ciliumReadyDelayMs: number;
  heartbeatIntervalMs: number;
  statusReportIntervalMs: number;
  statusRetryMs: number;
  deleteDelayMs: number;
  /** The API URL check pods report as their `api` target. */
  apiUrl: string;
  now?: () => Date;
}

export class SimKubelets {
  readonly registry = new NodeRegistry();
  private readonly now: () => Date;
  private readonly heartbeats: NodeHeartbeats;
  private runner: PodRunner | undefined;
  /** Pending boots by node name. */
  private readonly bootTimers = new Map<string, NodeJS.Timeout>();
  private podIndex: Promise<PodsByNode> | undefined;

  constructor(private readonly opts: KubeletOptions) {
    this.now = opts.now ?? (() => new Date());
    this.heartbeats = new NodeHeartbeats({ clients: opts.clients, log: opts.log, leaseIntervalMs: opts.heartbeatIntervalMs, statusIntervalMs: opts.statusReportIntervalMs, statusRetryMs: opts.statusRetryMs, now: this.now });
  }

  /** Register the nodes, then start playing their kubelets. */
  async start(identities: readonly SimNodeIdentity[]): Promise<void> {
    this.registry.pools = await readPools(this.opts.clients);
    for (const id of identities) this.registry.add(id, this.now());
    await forEachLimited(this.registry.all(), 32, (n) => this.heartbeats.register(n));
    const nodes = await this.opts.informers.nodes();
    for (const n of nodes.list()) this.observeNode(n);
    nodes.onChange((n) => this.observeNode(n));
    const pods = await this.opts.informers.pods();
    this.runner = new PodRunner({ ...this.opts, registry: this.registry, pods, podsByNode: await this.podsByNode(), now: this.now });
    this.watchPods(pods, this.runner);
    this.heartbeats.start(() => this.registry.all());
  }

  stop(): void {
    this.heartbeats.stop();
    this.runner?.stop();
    for (const t of this.bootTimers.values()) clearTimeout(t);
  }

  /** Resolves when no pod work is queued or running. */
  async idle(): Promise<void> {
    await this.runner?.queue.idle();
  }

  bootId(name: string): string {
    return this.node(name).bootId;
  }

  kernel(name: string): string {
    return this.node(name).id.kernel;
  }

  network(name: string): NodeNetwork {
    return { ...this.node(name).network };
  }

  /**
   * Power-cycle a node: NotReady at once, every container stops; after the downtime a new boot id, the
   * network model applies the reboot, Ready again and every pod restarts. Resolves once the node is down.
   * A node held down by `neverReturns` boots when rebooted again after the fault is cleared.
   */
  async rebootNode(name: string): Promise<void> {
    const node = this.node(name);
    if (node.rebooting) return this.scheduleBoot(node);
    node.up = false;
    node.rebooting = true;
    node.readySince = this.now();
    this.registry.stopAll(node);
    this.opts.log.info({ node: name, phase: 'reboot' }, 'node going down');
    await this.reportNode(node);
    await this.markPodsNotReady(node);
    this.scheduleBoot(node);
  }

  /** A reboot goes on whether or not its status write landed (a failed one is written again: NodeHeartbeats). */
  private async reportNode(node: SimNodeState): Promise<void> {
    await this.heartbeats.report(node).catch((e: unknown) => this.opts.log.warn({ node: node.id.name, err: describeError(e) }, 'status report failed; it is tried again'));
  }

  private scheduleBoot(node: SimNodeState): void {
    const name = node.id.name;
    if (this.bootTimers.has(name) || this.opts.faults.of(name).neverReturns) return;
    const timer = setTimeout(() => {
      this.bootTimers.delete(name);
      this.boot(node).catch((e: unknown) => this.opts.log.error({ node: name, err: describeError(e) }, 'boot failed'));
    }, this.opts.rebootDowntimeMs);
    this.bootTimers.set(name, timer);
  }

  private async boot(node: SimNodeState): Promise<void> {
    node.bootId = randomUUID();
    this.registry.observe(node, { kind: 'rebooted' });
    node.up = true;
    node.rebooting = false;
    node.readySince = this.now();
    this.opts.log.info({ node: node.id.name, phase: 'reboot', bootId: node.bootId, cni: node.network.active }, 'node booted');
    await this.reportNode(node);
    this.runner?.resyncNode(node.id.name);
  }

  private node(name: string): SimNodeState {
    const node = this.registry.get(name);
    if (!node) throw new CniMigrateError('NotFound', `no simulated node named ${name}`);
    return node;
  }

  private observeNode(n: V1Node): void {
    const node = this.registry.get(n.metadata?.name);
    const labelled = n.metadata?.labels?.[CILIUM_MIGRATION_LABEL] === CILIUM_MIGRATION_LABEL_VALUE;
    if (node && node.network.labelled !== labelled) this.registry.observe(node, { kind: 'label-observed', labelled });
  }

  private watchPods(pods: Cache<V1Pod>, runner: PodRunner): void {
    const changed = (pod: V1Pod): void => {
      this.observeCiliumPod(pod);
      runner.enqueue(pod);
    };
    for (const pod of pods.list()) changed(pod);
    pods.onChange(changed);
    pods.onDelete((pod) => runner.forget(pod));
  }

  /** A Cilium pod uid not seen before on a node is a (re)creation: its agent reads the node config now. */
  private observeCiliumPod(pod: V1Pod): void {
    const node = this.registry.get(pod.spec?.nodeName);
    const uid = pod.metadata?.uid;
    if (!node || !uid || !isCiliumPod(pod) || node.ciliumPods.has(uid) || isTerminating(pod)) return;
    node.ciliumPods.add(uid);
    this.registry.observe(node, { kind: 'cilium-pod-created' });
  }

  /** The pod informer's pods by node, made once. */
  private podsByNode(): Promise<PodsByNode> {
    this.podIndex ??= this.opts.informers.pods().then((pods) => new PodsByNode(pods));
    return this.podIndex;
  }

  private async markPodsNotReady(node: SimNodeState): Promise<void> {
    const now = this.now();
    const onNode = (await this.podsByNode()).on(node.id.name).filter((p) => !isPodFinished(p));
    for (const pod of onNode) {
      const { name = '', namespace = '' } = pod.metadata ?? {};
      const body = { status: { conditions: nodeDownConditions(now, now) } };
      await write((o) => this.opts.clients.core.patchNamespacedPodStatus({ name, namespace, body }, o), mergePatch()).catch(() => undefined);
    }
  }
}
