/** Test doubles for the gate: a directory that records calls, an authenticator with a fixed table. */
import type { Heartbeat, Order, OrderResult, RegisterRequest } from '../../../shared/api.js';
import { ForbiddenError, UnauthorizedError } from '../../../shared/errors.js';
import type { AgentAuthenticator, AgentPrincipal } from '../../../coordinator/gate/index.js';
import type { AgentDirectory } from '../../../coordinator/ports.js';

export class RecordingDirectory implements AgentDirectory {
  calls: string[] = [];
  nextOrder: Order | null = null;
  lastSignal: AbortSignal | undefined;
  waitForever = false;
  nodes = 0;
  nodeCount(): number {
    return this.nodes;
  }
  async register(req: RegisterRequest): Promise<void> {
    this.calls.push(`register ${req.nodeName}`);
  }
  async heartbeat(hb: Heartbeat): Promise<void> {
    this.calls.push(`heartbeat ${hb.nodeName}`);
  }
  async order(nodeName: string, after: string | undefined, signal: AbortSignal): Promise<Order | null> {
    this.calls.push(`order ${nodeName} after=${after ?? ''}`);
    this.lastSignal = signal;
    if (!this.waitForever) return this.nextOrder;
    return new Promise((_resolve, reject) => {
      signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
    });
  }
  async result(res: OrderResult): Promise<boolean> {
    this.calls.push(`result ${res.orderId} ${res.outcome}`);
    return true;
  }
}

/** token → the agent it names and the node its pod runs on. */
export function tableAuthenticator(table: Record<string, { principal: AgentPrincipal; node: string }>): AgentAuthenticator {
  return {
    async authenticate(token, nodeName) {
      const row = table[token];
      if (row === undefined) throw new UnauthorizedError('unknown token');
      if (row.node !== nodeName) throw new ForbiddenError(`pod runs on ${row.node}, not ${nodeName}`);
      return row.principal;
    },
  };
}
