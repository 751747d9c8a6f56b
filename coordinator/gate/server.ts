/** Serve a router on host:port (port 0 picks one) and close it, long-polls included. */
import express, { type Router } from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface GateServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startGateServer(router: Router, host = '127.0.0.1', port = 0): Promise<GateServer> {
  const app = express();
  app.disable('x-powered-by');
  app.use(router);
  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(port, host, (err?: Error) => (err ? reject(err) : resolve(s)));
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
