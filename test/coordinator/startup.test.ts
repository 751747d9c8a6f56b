/**
 * Start-up has a deadline, and /healthz tells a stuck process apart: an API server that accepts
 * connections but never answers leaves the coordinator neither waiting forever nor looking healthy.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import express from 'express';
import { KubeConfig } from '@kubernetes/client-node';
import { probeRouter, runCoordinator, startupDeadline } from '../../coordinator/server.js';
import { startGateServer } from '../../coordinator/gate/index.js';
import { exitCodeFor } from '../../shared/exit.js';
import { silentLogger } from '../../shared/logger.js';
import { testConfig } from './engine/harness.js';

let silent: Server;
const sockets = new Set<Socket>();

beforeAll(async () => {
  silent = createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
});
afterAll(async () => {
  sockets.forEach((s) => s.destroy());
  await new Promise((resolve) => silent.close(resolve));
});

function kubeconfigFor(server: string): string {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server, skipTLSVerify: true }],
    users: [{ name: 'u', token: 'x' }],
    contexts: [{ name: 'ctx', cluster: 'c', user: 'u' }],
    currentContext: 'ctx',
  });
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'cni-migrate-')), 'kubeconfig');
  writeFileSync(file, kc.exportConfig());
  return file;
}

describe('coordinator start-up', () => {
  it('when the API server never answers, then start-up ends at its deadline with a non-zero exit and one clear line', async () => {
    const port = (silent.address() as AddressInfo).port;
    const config = testConfig({
      kubeconfig: kubeconfigFor(`http://127.0.0.1:${port}`),
      port: '0',
      bindAddress: '127.0.0.1',
      startupTimeoutSeconds: '1',
    });
    const error = await runCoordinator({ config, log: silentLogger(), stop: new Promise(() => undefined) }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'DeadlineExceeded' });
    const { code, message } = exitCodeFor(error);
    expect(code).toBe(1);
    expect(message).toMatch(/^coordinator start-up .*deadline of 1s passed$/);
  });

  it('when start-up runs past its deadline, or the engine stops making progress, then /healthz answers 503 and says why', async () => {
    let now = 0;
    const startup = startupDeadline(1000, () => now);
    let stuck: string | undefined;
    const app = express.Router();
    let started = false;
    app.use(probeRouter(() => undefined, () => (started ? stuck : startup.overdue())));
    const gate = await startGateServer(app);
    try {
      const health = async (): Promise<[number, string]> => {
        const res = await fetch(`${gate.url}/healthz`);
        return [res.status, await res.text()];
      };
      expect(await health()).toEqual([200, 'ok\n']);
      now = 1500;
      expect(await health()).toEqual([503, 'unhealthy: start-up running for 2s\n']);
      started = true;
      stuck = 'no leader election round finished for 70s';
      expect(await health()).toEqual([503, `unhealthy: ${stuck}\n`]);
    } finally {
      await gate.close();
    }
  });
});
