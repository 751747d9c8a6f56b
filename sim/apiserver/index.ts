/**
 * The simulated cluster's API server: a real HTTP Kubernetes API (v1.28 semantics) that
 * `@kubernetes/client-node` and kubectl drive exactly as a real cluster.
 */
import { createServer, type Server } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { z } from 'zod';
import { ConfigError } from '../../shared/errors.js';
import { silentLogger, type Logger } from '../../shared/logger.js';
import type { RequestCount } from './accounting.js';
import type { ApiCallRecord } from './call-log.js';
import { assemble, type ServerParts } from './assemble.js';
import type { FaultControls } from './faults.js';
import { requestListener } from './http-server.js';
import type { Obj } from './json.js';

export type { RequestCount } from './accounting.js';
export type { ApiCallRecord } from './call-log.js';
export type { FaultControls, FaultRule } from './faults.js';

export interface ServiceAccountTokenOptions {
  namespace: string;
  serviceAccount: string;
  audiences?: string[];
  boundPod?: { name: string; uid: string };
  expirationSeconds?: number;
}

export interface SimApiServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** Bearer token of a system:masters admin user. */
  adminToken: string;
  /** A client-node KubeConfig pointing here (admin by default). */
  kubeConfig(user?: { token: string }): KubeConfig;
  issueServiceAccountToken(opts: ServiceAccountTokenOptions): string;
  requestCounts(): RequestCount[];
  resetRequestCounts(): void;
  /** Every distinct call each caller made, with RBAC's verdict (the calls the shipped RBAC must allow). */
  apiCalls(): ApiCallRecord[];
  /** Create (or replace) objects as the admin, as `kubectl apply` would; returns the stored objects. */
  applyManifests(objects: Obj[]): Obj[];
  faults: FaultControls;
  close(): Promise<void>;
}

export interface StartOptions {
  port?: number;
  host?: string;
  /** Events kept per resource for watch resumption (default 10000). */
  watchHistory?: number;
  /** Interval of watch BOOKMARK events (default 60 s). */
  bookmarkIntervalMs?: number;
  logger?: Logger;
  /**
   * Serve HTTPS with this certificate (PEM). kubectl only sends credentials over TLS, so a test that
   * drives kubectl as the admin needs this; client-node works over plain HTTP too.
   */
  tls?: { cert: string; key: string };
}

const optionsSchema = z.object({
  port: z.number().int().min(0).max(65535).optional(),
  host: z.string().min(1).optional(),
  watchHistory: z.number().int().positive().optional(),
  bookmarkIntervalMs: z.number().int().positive().optional(),
  tls: z.object({ cert: z.string().min(1), key: z.string().min(1) }).optional(),
});

function checkOptions(opts: StartOptions): void {
  const { logger: _logger, ...rest } = opts;
  const r = optionsSchema.safeParse(rest);
  if (!r.success) {
    const issues = r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid simulated API server options: ${issues.join('; ')}`, issues);
  }
}

export function kubeConfigFor(url: string, token: string, caPem?: string): KubeConfig {
  const kc = new KubeConfig();
  const cluster = caPem ? { name: 'sim', server: url, skipTLSVerify: false, caData: Buffer.from(caPem).toString('base64') } : { name: 'sim', server: url, skipTLSVerify: true };
  kc.loadFromOptions({
    clusters: [cluster],
    users: [{ name: 'sim-user', token }],
    contexts: [{ name: 'sim', cluster: 'sim', user: 'sim-user' }],
    currentContext: 'sim',
  });
  return kc;
}

function facade(parts: ServerParts, url: string, close: () => Promise<void>, caPem?: string): SimApiServer {
  return {
    url,
    adminToken: parts.auth.adminToken,
    kubeConfig: (user) => kubeConfigFor(url, user?.token ?? parts.auth.adminToken, caPem),
    issueServiceAccountToken: (opts) => parts.issueToken(opts),
    requestCounts: () => parts.accounting.snapshot(),
    resetRequestCounts: () => parts.accounting.reset(),
    apiCalls: () => parts.calls.snapshot(),
    applyManifests: (objects) => parts.applyManifests(objects),
    faults: parts.faultControls,
    close,
  };
}

/**
 * As kube-apiserver serves: an idle keep-alive connection is closed after 90 s (its http.Server IdleTimeout; Node's
 * 5 s default closed connections that clients were about to reuse, and a burst of agents saw ECONNRESET), and the
 * accept queue is the kernel's somaxconn as Go's listener asks for (Node's default of 511 overflowed when a
 * thousand agents connected at once).
 */
const SERVING = { keepAlive: true, keepAliveTimeout: 90_000 };
const LISTEN_BACKLOG = 4096;

export async function startApiServer(opts: StartOptions = {}): Promise<SimApiServer> {
  checkOptions(opts);
  const host = opts.host ?? '127.0.0.1';
  const parts = assemble({
    watchHistory: opts.watchHistory ?? 10000,
    bookmarkIntervalMs: opts.bookmarkIntervalMs ?? 60_000,
    log: opts.logger ?? silentLogger(),
  });
  const listener = requestListener(parts.edge);
  const server: Server = opts.tls ? createTlsServer({ ...opts.tls, ...SERVING }, listener) : createServer(SERVING, listener);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: opts.port ?? 0, host, backlog: LISTEN_BACKLOG }, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `${opts.tls ? 'https' : 'http'}://${host}:${port}`;
  parts.setAddress(`${host}:${port}`);
  const close = async (): Promise<void> => {
    parts.shutdown();
    for (const w of [...parts.edge.watches]) w.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return facade(parts, url, close, opts.tls?.cert);
}
