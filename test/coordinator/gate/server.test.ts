/**
 * The agent API's listening socket asks the kernel for an accept queue that holds a DaemonSet's agents
 * connecting at once (Node's default of 511 reset the connections past it at a few thousand nodes).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import express from 'express';
import { execa } from 'execa';
import { LISTEN_BACKLOG, startGateServer, type GateServer } from '../../../coordinator/gate/server.js';

let gate: GateServer;

beforeAll(async () => {
  gate = await startGateServer(express.Router());
});
afterAll(() => gate.close());

/** The accept queue of the socket listening on 127.0.0.1:port, as `ss` reports it (Send-Q of a listener). */
async function acceptQueueOf(port: number): Promise<number> {
  const { stdout } = await execa('ss', ['-ltnH', `sport = :${port}`]);
  const [line] = stdout.trim().split('\n');
  return Number(line?.trim().split(/\s+/)[2]);
}

describe('the agent API server', () => {
  it('when it listens, then its accept queue is the backlog it asked for (up to the kernel\'s somaxconn), not Node\'s 511', async () => {
    const somaxconn = Number(readFileSync('/proc/sys/net/core/somaxconn', 'utf8'));
    const expected = Math.min(LISTEN_BACKLOG, somaxconn);
    expect(await acceptQueueOf(gate.port)).toBe(expected);
    expect(expected).toBeGreaterThan(511);
  });
});
