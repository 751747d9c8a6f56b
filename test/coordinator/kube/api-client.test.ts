import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from '@jest/globals';
import { CoordinationV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { apiClient, KeepAliveAgents, keepAliveAgentsOf } from '../../../coordinator/kube/api-client.js';

/** An API server that answers every GET with a ConfigMap or a Lease, counting connections and noting each call's Authorization. */
async function countingServer(): Promise<{ url: string; connections: () => number; auth: string[]; close: () => Promise<void> }> {
  let connections = 0;
  const auth: string[] = [];
  const server = http.createServer({ keepAlive: true, keepAliveTimeout: 90_000 }, (req, res) => {
    auth.push(req.headers.authorization ?? '');
    const lease = req.url?.includes('/leases/') ?? false;
    const body = lease
      ? { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'l', namespace: 'ns' }, spec: {} }
      : { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'ns' }, data: { a: 'b' } };
    res.setHeader('Content-Type', 'application/json');
    res.end(JSON.stringify(body));
  });
  server.on('connection', () => (connections += 1));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    connections: () => connections,
    auth,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function kubeConfig(server: string, token: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server, skipTLSVerify: true }],
    users: [{ name: 'u', token }],
    contexts: [{ name: 'c', cluster: 'c', user: 'u' }],
    currentContext: 'c',
  });
  return kc;
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

describe('apiClient', () => {
  it('when a client makes calls one after another, and another client of the same kubeconfig too, then they all use one connection, each with its bearer token', async () => {
    const server = await countingServer();
    cleanups.push(server.close);
    const kc = kubeConfig(server.url, 'tok');
    cleanups.push(() => keepAliveAgentsOf(kc).destroy());
    const core = apiClient(kc, CoreV1Api);
    const leases = apiClient(kc, CoordinationV1Api);

    for (let i = 0; i < 3; i++) expect((await core.readNamespacedConfigMap({ namespace: 'ns', name: 'c' })).data).toEqual({ a: 'b' });
    expect((await leases.readNamespacedLease({ namespace: 'ns', name: 'l' })).metadata?.name).toBe('l');

    expect(server.connections()).toBe(1);
    expect(server.auth).toEqual(['Bearer tok', 'Bearer tok', 'Bearer tok', 'Bearer tok']);
  });

  it('when calls run at once, then each gets a connection, and later calls reuse them', async () => {
    const server = await countingServer();
    cleanups.push(server.close);
    const kc = kubeConfig(server.url, 'tok');
    cleanups.push(() => keepAliveAgentsOf(kc).destroy());
    const core = apiClient(kc, CoreV1Api);
    const three = (): Promise<unknown[]> => Promise.all([1, 2, 3].map(() => core.readNamespacedConfigMap({ namespace: 'ns', name: 'c' })));

    await three();
    await three();

    expect(server.connections()).toBe(3);
  });
});

describe('KeepAliveAgents', () => {
  it('when calls come with TLS Agents of the same settings, then they share one keep-alive Agent; other settings get another', () => {
    const agents = new KeepAliveAgents();
    cleanups.push(() => agents.destroy());
    const ca = (pem: string): https.Agent => new https.Agent({ ca: Buffer.from(pem), servername: 'api' });

    const first = agents.agentFor(ca('CA-1'));
    expect(agents.agentFor(ca('CA-1'))).toBe(first);
    expect((first as https.Agent).options).toMatchObject({ keepAlive: true, servername: 'api', ca: Buffer.from('CA-1') });
    const rotated = agents.agentFor(ca('CA-2'));
    expect(rotated).not.toBe(first);
    expect((rotated as https.Agent).options.ca).toEqual(Buffer.from('CA-2'));
  });

  it("when a call's Agent is a proxy's (a subclass), then it is left as it is", () => {
    const agents = new KeepAliveAgents();
    class ProxyAgent extends https.Agent {}
    const proxy = new ProxyAgent();
    expect(agents.agentFor(proxy)).toBe(proxy);
    expect(agents.agentFor(undefined)).toBeUndefined();
  });
});
