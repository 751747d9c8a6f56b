import { describe, expect, it } from '@jest/globals';
import { inFlightLimit } from '../../../coordinator/kube/in-flight-limit.js';

/** A call that runs until released by hand, counting how many run at once. */
function gatedCalls() {
  let running = 0;
  let most = 0;
  const pending: { finish: (ok: boolean) => void }[] = [];
  const call = (): Promise<string> =>
    new Promise((resolve, reject) => {
      running += 1;
      most = Math.max(most, running);
      pending.push({
        finish: (ok) => {
          running -= 1;
          if (ok) resolve('done');
          else reject(new Error('refused'));
        },
      });
    });
  return { call, pending, most: () => most, running: () => running };
}

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('inFlightLimit', () => {
  it('when more calls come than the limit, then only the limit run at once and each waiting one starts as one ends, a failed one too', async () => {
    const limited = inFlightLimit(2);
    const g = gatedCalls();
    const results = Array.from({ length: 5 }, () => limited(g.call).then((v) => v, (e: unknown) => (e as Error).message));
    await settle();
    expect(g.running()).toBe(2);
    g.pending.shift()?.finish(false);
    await settle();
    expect(g.running()).toBe(2);
    while (g.pending.length > 0) {
      g.pending.shift()?.finish(true);
      await settle();
    }
    expect(await Promise.all(results)).toEqual(['refused', 'done', 'done', 'done', 'done']);
    expect(g.most()).toBe(2);
  });
});
