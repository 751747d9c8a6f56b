import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { createGateRouter, startGateServer, type GateServer } from '../../../coordinator/gate/index.js';
import { forwardingDirectory } from '../../../coordinator/server.js';
import { createLogger, silentLogger } from '../../../shared/logger.js';
import { RecordingDirectory, tableAuthenticator } from './fakes.js';

const BOOT = '0b0e1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d';
const register = { nodeName: 'node-a', podName: 'agent-a', bootId: BOOT, kernel: '6.1.0', agentVersion: '0.1.0' };
const heartbeat = {
  nodeName: 'node-a',
  podName: 'agent-a',
  bootId: BOOT,
  kernel: '6.1.0',
  iptablesBackends: ['nft'],
  calicoLeftovers: true,
};
const result = { nodeName: 'node-a', podName: 'agent-a', bootId: BOOT, orderId: 'o-1', outcome: 'succeeded', message: '' };

const directory = new RecordingDirectory();
const auth = tableAuthenticator({
  good: { principal: { namespace: 'cni-migrate', podName: 'agent-a', podUid: 'u1' }, node: 'node-a' },
  'other-pod': { principal: { namespace: 'cni-migrate', podName: 'agent-b', podUid: 'u2' }, node: 'node-a' },
});
let gate: GateServer;

beforeAll(async () => {
  gate = await startGateServer(
    createGateRouter({ directory, auth, log: silentLogger(), limits: { maxBodyBytes: 4096, heartbeatIntervalSeconds: 7 } }),
  );
});
afterAll(() => gate.close());
beforeEach(() => {
  directory.calls = [];
  directory.nextOrder = null;
  directory.waitForever = false;
  directory.nodes = 0;
});

const call = async (method: string, path: string, opts: { token?: string; body?: unknown; raw?: string } = {}) => {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (opts.token !== undefined) headers.authorization = `Bearer ${opts.token}`;
  const body = opts.raw ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body));
  const res = await fetch(`${gate.url}${path}`, { method, headers, body });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

describe('agent API gate', () => {
  it('when a registered agent on its own node registers, then it gets the timing and the directory hears it', async () => {
    const res = await call('POST', '/v1/register', { token: 'good', body: register });
    expect(res).toEqual({ status: 200, body: { heartbeatIntervalSeconds: 7, longPollSeconds: 30 } });
    expect(directory.calls).toEqual(['register node-a']);
  });

  it('when the coordinator knows 5,000 nodes, then a registering agent is told to heartbeat and poll less often', async () => {
    directory.nodes = 5000;
    const res = await call('POST', '/v1/register', { token: 'good', body: register });
    expect(res).toEqual({ status: 200, body: { heartbeatIntervalSeconds: 250, longPollSeconds: 50 } });
  });

  it('when a heartbeat is valid, then ok and it reaches the directory', async () => {
    const res = await call('POST', '/v1/heartbeat', { token: 'good', body: heartbeat });
    expect(res).toEqual({ status: 200, body: { ok: true } });
    expect(directory.calls).toEqual(['heartbeat node-a']);
  });

  it.each([
    ['no token', 401, undefined, register],
    ['an unknown token', 401, 'nope', register],
    ['another node name', 403, 'good', { ...register, nodeName: 'node-b' }],
    ['another pod name than the token', 403, 'other-pod', register],
    ['a bad body', 400, 'good', { ...register, bootId: 'not-a-uuid' }],
    ['an unknown field', 400, 'good', { ...register, extra: 1 }],
  ])('when register comes with %s, then the gate answers %i and nothing changes', async (_what, status, token, body) => {
    const res = await call('POST', '/v1/register', { token, body });
    expect(res.status).toBe(status);
    expect(typeof res.body.error).toBe('string');
    expect(directory.calls).toEqual([]);
  });

  it('when the body is invalid, then the 400 names each issue', async () => {
    const res = await call('POST', '/v1/heartbeat', { token: 'good', body: { ...heartbeat, calicoLeftovers: 'yes', kernel: '' } });
    expect(res.status).toBe(400);
    expect(res.body.issues).toEqual(expect.arrayContaining([expect.stringContaining('calicoLeftovers'), expect.stringContaining('kernel')]));
  });

  it('when the body is larger than the limit, then 413 and nothing changes', async () => {
    const res = await call('POST', '/v1/heartbeat', { token: 'good', body: { ...heartbeat, kernel: 'x'.repeat(10_000) } });
    expect(res.status).toBe(413);
    expect(res.body.error).toBe('PayloadTooLarge');
    expect(directory.calls).toEqual([]);
  });

  it('when the body is not JSON, then 400', async () => {
    const res = await call('POST', '/v1/heartbeat', { token: 'good', raw: '{nope' });
    expect(res.status).toBe(400);
    expect(directory.calls).toEqual([]);
  });

  it.each([
    ['waitSeconds=abc'],
    ['waitSeconds=61'],
    ['after=bad%20id'],
    ['surprise=1'],
  ])('when the order query is %s, then 400 and the directory is not asked', async (query) => {
    const res = await call('GET', `/v1/nodes/node-a/order?${query}`, { token: 'good' });
    expect(res.status).toBe(400);
    expect(directory.calls).toEqual([]);
  });

  it('when an agent asks for another node\'s order, then 403', async () => {
    const res = await call('GET', '/v1/nodes/node-b/order', { token: 'good' });
    expect(res.status).toBe(403);
    expect(directory.calls).toEqual([]);
  });

  it('when an order is waiting, then the long-poll returns it', async () => {
    directory.nextOrder = { kind: 'cleanup', id: 'o-2', dryRun: true };
    const res = await call('GET', '/v1/nodes/node-a/order?waitSeconds=5&after=o-1', { token: 'good' });
    expect(res).toEqual({ status: 200, body: { order: { kind: 'cleanup', id: 'o-2', dryRun: true } } });
    expect(directory.calls).toEqual(['order node-a after=o-1']);
  });

  it('when nothing new comes before the deadline, then the long-poll answers null', async () => {
    directory.waitForever = true;
    const res = await call('GET', '/v1/nodes/node-a/order?waitSeconds=1', { token: 'good' });
    expect(res).toEqual({ status: 200, body: { order: null } });
  });

  it('when the client goes away mid long-poll, then the directory wait is aborted', async () => {
    directory.waitForever = true;
    const client = new AbortController();
    const pending = fetch(`${gate.url}/v1/nodes/node-a/order?waitSeconds=30`, {
      headers: { authorization: 'Bearer good' },
      signal: client.signal,
    }).catch((e: unknown) => e);
    while (directory.lastSignal === undefined || directory.calls.length === 0) await new Promise((r) => setImmediate(r));
    const signal = directory.lastSignal;
    const aborted = new Promise<boolean>((resolve) => signal.addEventListener('abort', () => resolve(true), { once: true }));
    client.abort();
    await pending;
    await expect(aborted).resolves.toBe(true);
  });

  it('when a result is posted, then it is accepted; with a mismatched id, then 400', async () => {
    const ok = await call('POST', '/v1/orders/o-1/result', { token: 'good', body: result });
    expect(ok).toEqual({ status: 200, body: { accepted: true } });
    const bad = await call('POST', '/v1/orders/o-9/result', { token: 'good', body: result });
    expect(bad.status).toBe(400);
    expect(directory.calls).toEqual(['result o-1 succeeded']);
  });

  it('when the route is unknown, then 404; when the method is wrong, then 405', async () => {
    expect((await call('GET', '/v1/nothing', { token: 'good' })).status).toBe(404);
    expect((await call('GET', '/v1/register', { token: 'good' })).status).toBe(405);
    expect((await call('DELETE', '/v1/nodes/node-a/order', { token: 'good' })).status).toBe(405);
    expect(directory.calls).toEqual([]);
  });
});

describe('agent API gate: bodies it cannot read, and a coordinator still starting', () => {
  const lines: string[] = [];
  const log = createLogger({ component: 'test', level: 'info', destination: { write: (l: string) => void lines.push(l) } });
  const errorLines = (): string[] => lines.filter((l) => l.includes('"level":50') || l.includes('"stack"'));
  let own: GateServer;
  let starting: GateServer;

  beforeAll(async () => {
    own = await startGateServer(createGateRouter({ directory, auth, log }));
    starting = await startGateServer(createGateRouter({ directory: forwardingDirectory(() => undefined), auth, log }));
  });
  afterAll(async () => {
    await own.close();
    await starting.close();
  });
  beforeEach(() => {
    lines.length = 0;
  });

  it.each([['with a token', 'good'], ['without a token', undefined]])(
    'when a gzip-encoded body cannot be decoded (%s), then 400 with one clear line and no error log',
    async (_what, token) => {
      const headers: Record<string, string> = { 'content-encoding': 'gzip', 'content-type': 'application/json' };
      if (token !== undefined) headers.authorization = `Bearer ${token}`;
      const res = await fetch(`${own.url}/v1/register`, { method: 'POST', headers, body: 'x' });
      const body = (await res.json()) as Record<string, unknown>;
      expect(res.status).toBe(400);
      expect(body).toMatchObject({ error: 'BadRequest', message: expect.stringContaining('Content-Encoding') });
      expect(errorLines()).toEqual([]);
      expect(directory.calls).toEqual([]);
    },
  );

  it('when an agent calls while the engine is starting, then 503 and no error log with a stack', async () => {
    const res = await fetch(`${starting.url}/v1/register`, {
      method: 'POST',
      headers: { authorization: 'Bearer good', 'content-type': 'application/json' },
      body: JSON.stringify(register),
    });
    expect(res.status).toBe(503);
    expect(((await res.json()) as Record<string, unknown>).error).toBe('Unavailable');
    expect(errorLines()).toEqual([]);
  });
});
