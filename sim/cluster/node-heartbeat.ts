/**
 * A simulated kubelet's node-side API traffic: register the Node, keep its kube-node-lease Lease renewed,
 * and report its status (Ready, boot id) on every change and, unchanged, every `statusIntervalMs` (a real
 * kubelet's nodeStatusReportFrequency, five minutes by default: since node Leases, the Lease is the
 * heartbeat and the status is written again only when it changed or that long after). Each status write is
 * an event for every watcher of Nodes, the coordinator among them, so writing it more often than a kubelet
 * would makes a large simulated cluster cost the coordinator more than a real one does. A status write that
 * failed is tried again `statusRetryMs` later (a kubelet compares its status with the last one posted every
 * nodeStatusUpdateFrequency, 10 s), so a change is never left unreported until the next five-minute report.
 */
import { describeError } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';
import { createIfAbsent, mergePatch, write, type KubeClients } from './kube.js';
import type { SimNodeState } from './node-registry.js';
import { forEachLimited } from './pool.js';
import { buildNode, heartbeatStatus, leaseRenewal, NODE_LEASE_NAMESPACE, nodeLease } from './node-objects.js';

export interface HeartbeatOptions {
  clients: KubeClients;
  log: Logger;
  /** Interval of the Lease renewals (0: only on a change). */
  leaseIntervalMs: number;
  /** Interval of the status reports while nothing changes (0: only on a change). */
  statusIntervalMs: number;
  /** After a failed status write, the next attempt. */
  statusRetryMs: number;
  now: () => Date;
}

export class NodeHeartbeats {
  private readonly timers: NodeJS.Timeout[] = [];
  /** The nodes whose last status write failed, with the timer of the next attempt. */
  private readonly retries = new Map<string, NodeJS.Timeout>();
  private stopped = false;

  constructor(private readonly opts: HeartbeatOptions) {}

  /** Create the Node and its Lease (kept if they exist: a restarted simulation re-adopts them), then report. */
  async register(node: SimNodeState): Promise<void> {
    const { core, coordination } = this.opts.clients;
    await createIfAbsent(() => core.createNode({ body: buildNode(node.id) }));
    await createIfAbsent(() => coordination.createNamespacedLease({ namespace: NODE_LEASE_NAMESPACE, body: nodeLease(node.id.name, 40, node.id.labels) }));
    await this.report(node);
  }

  /** Write the node's status and renew its Lease (the Lease only while the kubelet is up). */
  async report(node: SimNodeState): Promise<void> {
    await this.reportStatus(node);
    await this.renewLease(node);
  }

  /** Renew every node's Lease and report every node's status, each on its own interval (errors are logged; the next beat retries). */
  start(nodes: () => SimNodeState[]): void {
    this.every(this.opts.leaseIntervalMs, nodes, (n) => this.renewLease(n));
    this.every(this.opts.statusIntervalMs, nodes, (n) => this.reportStatus(n));
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    this.timers.length = 0;
    for (const t of this.retries.values()) clearTimeout(t);
    this.retries.clear();
  }

  private async reportStatus(node: SimNodeState): Promise<void> {
    const name = node.id.name;
    clearTimeout(this.retries.get(name));
    this.retries.delete(name);
    const status = heartbeatStatus(node.id, { ready: node.up, cni: node.network.active, bootId: node.bootId, now: this.opts.now(), readySince: node.readySince });
    try {
      await write((o) => this.opts.clients.core.patchNodeStatus({ name, body: { status } }, o), mergePatch());
    } catch (e) {
      this.retryStatus(node);
      throw e;
    }
  }

  /** Writes the node's status again later, unless another write of it starts first. */
  private retryStatus(node: SimNodeState): void {
    if (this.stopped) return;
    const name = node.id.name;
    const timer = setTimeout(() => {
      this.retries.delete(name);
      this.reportStatus(node).catch((e: unknown) => this.opts.log.warn({ node: name, err: describeError(e) }, 'status report failed; trying again'));
    }, this.opts.statusRetryMs);
    timer.unref();
    this.retries.set(name, timer);
  }

  private async renewLease(node: SimNodeState): Promise<void> {
    if (!node.up) return;
    const lease = { name: node.id.name, namespace: NODE_LEASE_NAMESPACE, body: leaseRenewal(this.opts.now()) };
    await write((o) => this.opts.clients.coordination.patchNamespacedLease(lease, o), mergePatch());
  }

  /** Runs `beat` for every node that is up, every `intervalMs`; a round still running skips the next. */
  private every(intervalMs: number, nodes: () => SimNodeState[], beat: (n: SimNodeState) => Promise<void>): void {
    if (intervalMs <= 0) return;
    let beating = false;
    const timer = setInterval(() => {
      if (beating) return;
      beating = true;
      const logged = (node: SimNodeState): Promise<void> =>
        beat(node).catch((e: unknown) => this.opts.log.warn({ node: node.id.name, err: describeError(e) }, 'heartbeat failed'));
      void forEachLimited(nodes().filter((n) => n.up), 16, logged).finally(() => (beating = false));
    }, intervalMs);
    timer.unref();
    this.timers.push(timer);
  }
}
