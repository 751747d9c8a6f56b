/** Serve a router on host:port (port 0 picks one) and close it, long-polls included. */
import express, { type Router } from 'express';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface GateServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * The accept queue asked of the kernel (which caps it at net.core.somaxconn, 4096 by default since Linux 5.4).
 * Every agent of a DaemonSet connects when the coordinator comes up or moves; Node's default of 511 overflowed
 * when thousands did in the same second, and the connections past it were reset.
 */
export const LISTEN_BACKLOG = 4096;

export async function startGateServer(router: Router, host = '127.0.0.1', port = 0): Promise<GateServer> {
  const app = express();
  app.disable('x-powered-by');
  // No agent or probe sends If-None-Match: an ETag (a SHA-1 of every answer, heartbeats and long-polls included) is pure cost.
  app.set('etag', false);
  app.use(router);
  const server: Server = createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host, backlog: LISTEN_BACKLOG }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${bound}`,
    port: bound,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
