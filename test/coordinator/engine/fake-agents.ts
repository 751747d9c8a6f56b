/**
 * Fake agents: one loop per node that long-polls the current engine for orders and answers them the way
 * the real agent does (guarded reboot, validation report, CNI file restore). Scripts make a node hang on
 * reboot or fail its DNS check.
 */
import type { Order, OrderResult } from '../../../shared/api.js';
import type { AgentDirectory } from '../../../coordinator/ports.js';
import type { FakeCluster } from './fake-cluster.js';

export interface AgentScript {
  /** The node never comes back from a reboot. */
  hangOnReboot: Set<string>;
  /** The node comes back from a reboot (a new boot id) but never gets Ready. */
  notReadyAfterReboot: Set<string>;
  /** Validation fails (DNS) on these nodes; a validation after a rollback (Calico CIDR) still passes. */
  failDns: Set<string>;
}

const CALICO = '10.244.0.0/16';

export class FakeAgents {
  /** Cleanup orders run per node (a redelivered order id is answered from the first run). */
  readonly cleanups = new Map<string, number>();
  private readonly abort = new AbortController();
  private readonly loops: Promise<void>[] = [];
  readonly script: AgentScript = { hangOnReboot: new Set(), notReadyAfterReboot: new Set(), failDns: new Set() };
  readonly received: Order[] = [];
  private readonly answers = new Map<string, OrderResult>();

  constructor(
    private readonly cluster: FakeCluster,
    /** The coordinator the agents reach now (the current engine; it changes across restarts). */
    private readonly coordinator: () => AgentDirectory | undefined,
  ) {}

  start(nodes: string[]): void {
    for (const n of nodes) this.loops.push(this.run(n));
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await Promise.all(this.loops);
  }

  private identity(node: string) {
    return { nodeName: node, podName: `agent-${node}`, bootId: this.cluster.bootIdOf(node) };
  }

  private async run(node: string): Promise<void> {
    let last: string | undefined;
    let registeredTo: AgentDirectory | undefined;
    while (!this.abort.signal.aborted) {
      const c = this.coordinator();
      if (!c) {
        await new Promise((r) => setTimeout(r, 5));
        continue;
      }
      if (c !== registeredTo) {
        await c.register({ ...this.identity(node), kernel: '6.1', agentVersion: '0.1.0' });
        registeredTo = c;
      }
      const order = await c.order(node, last, this.abort.signal);
      if (!order) {
        await new Promise((r) => setTimeout(r, 5));
        continue;
      }
      this.received.push(order);
      last = order.id;
      if (!(await this.report(c, node, order))) {
        registeredTo = undefined;
        last = undefined;
        continue;
      }
      await c.heartbeat({
        ...this.identity(node),
        kernel: '6.1',
        iptablesBackends: ['nft'],
        calicoLeftovers: false,
      });
    }
  }

  /**
   * Reports the order's result; false when the coordinator refused it (it does not lead): as a real agent,
   * register again; the redelivered order is answered with the same result.
   */
  private async report(c: AgentDirectory, node: string, order: Order): Promise<boolean> {
    const result = this.answers.get(order.id) ?? this.answer(node, order);
    this.answers.set(order.id, result);
    try {
      await c.result(result);
      return true;
    } catch {
      await new Promise((r) => setTimeout(r, 5));
      return false;
    }
  }

  private answer(node: string, order: Order): OrderResult {
    const base = { ...this.identity(node), orderId: order.id };
    switch (order.kind) {
      case 'reboot': {
        if (this.cluster.bootIdOf(node) !== order.ifBootId) {
          return { ...base, outcome: 'refused', message: 'boot id moved on' };
        }
        const result: OrderResult = { ...base, outcome: 'succeeded', message: 'rebooting' };
        this.cluster.reboot(node, this.script.hangOnReboot.has(node), this.script.notReadyAfterReboot.has(node));
        return result;
      }
      case 'validate': {
        const fail = this.script.failDns.has(node) && order.expectedCidr !== CALICO;
        return {
          ...base,
          outcome: fail ? 'failed' : 'succeeded',
          message: fail ? '1 of 3 checks failed' : 'all checks passed',
          checks: {
            version: 1,
            podIP: '10.245.3.4',
            results: [{ check: 'dns', target: order.dnsName, ok: !fail, latencyMs: 3, detail: fail ? 'timeout' : '10.96.0.1' }],
          },
        };
      }
      case 'cleanup':
        this.cleanups.set(node, (this.cleanups.get(node) ?? 0) + 1);
        return { ...base, outcome: 'succeeded', message: 'removed 2 routes', cleanup: { removed: { routes: 2, ipsets: 1 }, leftover: 0, durationMs: 3 } };
      default:
        return { ...base, outcome: 'succeeded', message: 'done' };
    }
  }
}
