import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { kubeConfigFor } from '../../../sim/apiserver/index.js';
import { kubeClients } from '../../../sim/cluster/kube.js';

/** A stand-in API server that answers every GET with one ConfigMap and counts the connections it accepted. */
let server: Server;
let connections = 0;
let url = '';

beforeAll(async () => {
  server = createServer({ keepAlive: true }, (req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'c', namespace: 'default' }, data: { url: req.url ?? '' } }));
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
});
