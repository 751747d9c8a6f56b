/**
 * A fake coordinator for agent tests: the real gate router over HTTP on a loopback port, a token table as
 * authenticator, and a scripted directory that records what agents said and hands out queued orders.
 */
import type { Heartbeat, Order, OrderResult, RegisterRequest } from '../../../shared/api.js';
import { UnauthorizedError } from '../../../shared/errors.js';
import { silentLogger } from '../../../shared/logger.js';
import { createGateRouter, startGateServer, type GateServer } from '../../../coordinator/gate/index.js';
import type { AgentDirectory } from '../../../coordinator/ports.js';

export class ScriptedDirectory implements AgentDirectory {
  registrations: RegisterRequest[] = [];
  heartbeats: Heartbeat[] = [];
  results: OrderResult[] = [];
  polls: (string | undefined)[] = [];
  private queue: Order[] = [];
  private readonly waiting = new Set<() => void>();

  give(order: Order): void {
    this.queue.push(order);
    this.waiting.forEach((wake) => wake());
  }
  async register(req: RegisterRequest): Promise<void> {
    this.registrations.push(req);
  }
  async heartbeat(hb: Heartbeat): Promise<void> {
    this.heartbeats.push(hb);
  }
  async order(_node: string, after: string | undefined, signal: AbortSignal): Promise<Order | null> {
    this.polls.push(after);
    while (this.queue.length === 0 && !signal.aborted) {
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          this.waiting.delete(wake);
          resolve();
        };
        this.waiting.add(wake);
        signal.addEventListener('abort', wake, { once: true });
      });
    }
    // A poll whose agent went away takes nothing: the order stays for the next poll.
    return signal.aborted ? null : (this.queue.shift() ?? null);
  }
  async result(res: OrderResult): Promise<boolean> {
    this.results.push(res);
    return true;
  }
}

export interface FakeCoordinator {
  directory: ScriptedDirectory;
  /** Every bearer token presented, in order. */
  tokensSeen: string[];
  url: string;
  /** Stop serving (connections drop), as a crashed coordinator would. */
  crash(): Promise<void>;
  /** Serve again on the same port. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

/** `heartbeatIntervalSeconds` is what the agents are told (1 s unless a test needs heartbeats only on change). */
export async function startFakeCoordinator(tokens: Record<string, string>, heartbeatIntervalSeconds = 1): Promise<FakeCoordinator> {
  const directory = new ScriptedDirectory();
  const tokensSeen: string[] = [];
  const auth = {
    async authenticate(token: string, nodeName: string) {
      tokensSeen.push(token);
      if (tokens[token] !== nodeName) throw new UnauthorizedError('unknown token');
      return { namespace: 'cni-migrate', podName: `agent-${nodeName}`, podUid: 'uid' };
    },
  };
  const router = createGateRouter({
    directory,
    auth,
    log: silentLogger(),
    limits: { heartbeatIntervalSeconds, longPollSeconds: 2 },
  });
  let server: GateServer | undefined = await startGateServer(router);
  const port = server.port;
  return {
    directory,
    tokensSeen,
    url: server.url,
    async crash() {
      await server?.close();
      server = undefined;
    },
    async restart() {
      server = await startGateServer(router, '127.0.0.1', port);
    },
    async close() {
      await server?.close();
    },
  };
}
