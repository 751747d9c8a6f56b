/**
 * A simulated kubelet's node-side API traffic: register the Node, keep its kube-node-lease Lease renewed,
 * and report its status (Ready, boot id) on every change and on a slow heartbeat interval.
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
  /** Interval of status + Lease renewals while nothing changes. */
  intervalMs: number;
  now: () => Date;
}

export class NodeHeartbeats {
  private timer: NodeJS.Timeout | undefined;

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
    const now = this.opts.now();
    const status = heartbeatStatus(node.id, { ready: node.up, cni: node.network.active, bootId: node.bootId, now, readySince: node.readySince });
    await write((o) => this.opts.clients.core.patchNodeStatus({ name: node.id.name, body: { status } }, o), mergePatch());
    if (!node.up) return;
    const lease = { name: node.id.name, namespace: NODE_LEASE_NAMESPACE, body: leaseRenewal(now) };
    await write((o) => this.opts.clients.coordination.patchNamespacedLease(lease, o), mergePatch());
  }

  /** Report every node on the interval (errors are logged; the next beat retries). */
  start(nodes: () => SimNodeState[]): void {
    if (this.opts.intervalMs <= 0) return;
    let beating = false;
    this.timer = setInterval(() => {
      if (beating) return;
      beating = true;
      const beat = (node: SimNodeState): Promise<void> =>
        this.report(node).catch((e: unknown) => this.opts.log.warn({ node: node.id.name, err: describeError(e) }, 'heartbeat failed'));
      void forEachLimited(nodes().filter((n) => n.up), 16, beat).finally(() => (beating = false));
    }, this.opts.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
