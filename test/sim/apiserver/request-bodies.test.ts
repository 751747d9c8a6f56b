/** How request bodies are read, as a v1.28 server reads them: media types, and the Eviction's own checks. */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startApiServer, type SimApiServer } from '../../../sim/apiserver/index.js';

let server: SimApiServer;
beforeAll(async () => {
  server = await startApiServer();
});
afterAll(async () => {
  await server.close();
});

async function post(path: string, body: string, contentType?: string): Promise<{ status: number; reason: unknown }> {
  const headers: Record<string, string> = { Authorization: `Bearer ${server.adminToken}` };
  if (contentType) headers['Content-Type'] = contentType;
  // bytes, so that fetch adds no Content-Type of its own
  const res = await fetch(`${server.url}${path}`, { method: 'POST', headers, body: new TextEncoder().encode(body) });
  return { status: res.status, reason: (JSON.parse(await res.text()) as { reason?: unknown }).reason };
}

describe('request bodies', () => {
  it('when a body is YAML or has no Content-Type, then it is read; any other media type is 415', async () => {
    expect(await post('/api/v1/namespaces/default/configmaps', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-yaml\n', 'application/yaml')).toEqual({ status: 201, reason: undefined });
    expect(await post('/api/v1/namespaces/default/configmaps', JSON.stringify({ metadata: { name: 'untyped' } }))).toEqual({ status: 201, reason: undefined });
    expect(await post('/api/v1/namespaces/default/configmaps', JSON.stringify({ metadata: { name: 'text' } }), 'text/plain')).toEqual({ status: 415, reason: 'UnsupportedMediaType' });
  });

  it('when an Eviction names another pod than the URL, then it is 400; a negative grace period is accepted', async () => {
    await post('/api/v1/namespaces/default/pods', JSON.stringify({ metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'x' }] } }), 'application/json');
    const eviction = (name: string, grace: number): string => JSON.stringify({ apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name }, deleteOptions: { gracePeriodSeconds: grace } });
    expect(await post('/api/v1/namespaces/default/pods/p/eviction', eviction('q', 0), 'application/json')).toEqual({ status: 400, reason: 'BadRequest' });
    expect((await post('/api/v1/namespaces/default/pods/p/eviction', eviction('p', -1), 'application/json')).status).toBe(201);
  });
});
