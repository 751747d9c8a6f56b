import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { kubeConfigFor } from '../../../sim/apiserver/index.js';
import { isNotFound, kubeClients, mergePatch, write } from '../../../sim/cluster/kube.js';

/**
 * A stand-in API server that answers every call with one ConfigMap (of 200 kB for a name starting with `big`, 404 for
 * one starting with `missing`), keeps the bodies it was sent and counts the connections it accepted.
 */
let server: Server;
let connections = 0;
let url = '';
const received: string[] = [];

beforeAll(async () => {
  server = createServer({ keepAlive: true }, (req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      received.push(`${req.method ?? ''} ${req.url ?? ''} ${body}`);
      res.writeHead(req.url?.includes('/missing') ? 404 : 200, { 'Content-Type': 'application/json' });
      if (req.url?.includes('/missing')) res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404 }));
      else res.end(JSON.stringify({ kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'c', namespace: 'default' }, data: { url: req.url ?? '', pad: req.url?.includes('/big') ? 'x'.repeat(200_000) : '' } }));
    });
  });
  server.on('connection', () => (connections += 1));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('the simulated cluster\'s API clients', () => {
  it('when the kubelets and controllers make calls one after another over plain HTTP, then they share one kept-alive connection', async () => {
    const { core, apps } = kubeClients(kubeConfigFor(url, 'token'));
    const before = connections;
    for (let i = 0; i < 5; i++) {
      const cm = await core.readNamespacedConfigMap({ name: 'c', namespace: 'default' });
      expect(cm.data?.url).toBe('/api/v1/namespaces/default/configmaps/c');
    }
    await apps.getAPIResources().catch(() => undefined);
    expect(connections - before).toBe(1);
  });

  it('when writes leave their (large) answers undecoded, then each is sent as asked, the connection is kept, and a failure still throws with its status', async () => {
    const { core } = kubeClients(kubeConfigFor(url, 'token'));
    const before = connections;
    received.length = 0;
    for (let i = 0; i < 3; i++) {
      await write((o) => core.patchNamespacedConfigMap({ name: 'big', namespace: 'default', body: { data: { i: String(i) } } }, o), mergePatch());
    }
    const failed = await write((o) => core.patchNamespacedConfigMap({ name: 'missing', namespace: 'default', body: {} }, o), mergePatch()).catch((e: unknown) => e);
    expect(received).toEqual([0, 1, 2].map((i) => `PATCH /api/v1/namespaces/default/configmaps/big {"data":{"i":"${i}"}}`).concat('PATCH /api/v1/namespaces/default/configmaps/missing {}'));
    expect(isNotFound(failed)).toBe(true);
    expect(connections - before).toBe(1);
  });
});
