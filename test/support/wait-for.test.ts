import { describe, expect, it } from '@jest/globals';
import { waitFor } from './wait-for.js';

describe('waitFor', () => {
  it('when the probe turns truthy, then it resolves with that value', async () => {
    let n = 0;
    await expect(waitFor('n reaches 3', () => (++n >= 3 ? n : undefined), { timeoutMs: 5000 })).resolves.toBe(3);
  });

  it('when a change is reported, then the probe runs again at once', async () => {
    let ready = false;
    let wake = (): void => undefined;
    const waiting = waitFor('ready', () => ready, { timeoutMs: 5000, intervalMs: 60_000, wakeOn: (w) => ((wake = w), () => undefined) });
    ready = true;
    wake();
    await expect(waiting).resolves.toBe(true);
  });

  it('when the condition never holds, then it fails naming what it waited for and the last probe error', async () => {
    const probe = (): boolean => {
      throw new Error('connection refused');
    };
    await expect(waitFor('the server to answer', probe, { timeoutMs: 50 })).rejects.toThrow(
      /timed out after 50 ms waiting for: the server to answer \(last probe failed: connection refused\)/,
    );
  });

  it('when the signal aborts, then it stops waiting', async () => {
    const ac = new AbortController();
    const waiting = waitFor('never', () => false, { timeoutMs: 60_000, signal: ac.signal });
    ac.abort();
    await expect(waiting).rejects.toThrow(/aborted while waiting for: never/);
  });
});
