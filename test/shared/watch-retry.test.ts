/** Watch failures: capped exponential backoff with jitter, and one log line per failure streak. */
import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import type { Informer, KubernetesObject, ObjectCache } from '@kubernetes/client-node';
import { watchedFrom } from '../../coordinator/kube/watched.js';
import { createLogger } from '../../shared/logger.js';
import { WATCH_RETRY, WatchRetry, watchRetryDelayMs } from '../../shared/watch-retry.js';

function capture(): { log: ReturnType<typeof createLogger>; lines: { level: string; msg: string }[] } {
  const lines: { level: string; msg: string }[] = [];
  const log = createLogger({ component: 'test', level: 'debug', destination: { write: (l: string) => void lines.push(JSON.parse(l) as { level: string; msg: string }) } });
  return { log, lines };
}

describe('watch retry delays', () => {
  it('when failures follow each other, then the delay doubles from 0.8 s and stops at 30 s', () => {
    const full = [1, 2, 3, 4, 5, 6, 7, 8].map((n) => watchRetryDelayMs(n, WATCH_RETRY, () => 0));
    expect(full).toEqual([800, 1600, 3200, 6400, 12_800, 25_600, 30_000, 30_000]);
  });

  it('when jitter draws its extremes, then each delay lies between half and all of its step', () => {
    expect(watchRetryDelayMs(1, WATCH_RETRY, () => 1)).toBe(400);
    expect(watchRetryDelayMs(10, WATCH_RETRY, () => 1)).toBe(15_000);
    expect(watchRetryDelayMs(3, WATCH_RETRY, () => 0.5)).toBe(2400);
  });
});

describe('watch retry log', () => {
  it('when a watch fails five times in a row and then recovers, then one warning and one recovery line are logged', () => {
    const { log, lines } = capture();
    const retry = new WatchRetry({ log, what: 'nodes', now: () => 0, random: () => 0 });
    const delays = [1, 2, 3, 4, 5].map(() => retry.failed(new Error('connection refused')));
    expect(delays).toEqual([800, 1600, 3200, 6400, 12_800]);
    retry.recovered();
    expect(lines.map((l) => `${l.level} ${l.msg}`)).toEqual([
      'warn watch failed; retrying with backoff (logged once until it recovers)',
      'info watch recovered',
    ]);
    expect(retry.failed(new Error('again'))).toBe(800);
    expect(lines).toHaveLength(3);
  });

  it('when a watch stayed up for a minute before it failed, then its backoff starts over', () => {
    let now = 0;
    const retry = new WatchRetry({ log: capture().log, what: 'pods', now: () => now, random: () => 0 });
    retry.failed(new Error('x'));
    retry.failed(new Error('x'));
    retry.connected();
    now += 59_000;
    expect(retry.failed(new Error('x'))).toBe(3200);
    retry.connected();
    now += 60_000;
    expect(retry.failed(new Error('x'))).toBe(800);
  });
});

/** An informer whose start fails until `healthy`, and which emits what the test tells it. */
class FakeInformer extends EventEmitter {
  starts = 0;
  healthy = false;
  async start(): Promise<void> {
    this.starts += 1;
    if (!this.healthy) throw new Error('connection refused');
    this.emit('connect');
  }
  async stop(): Promise<void> {}
  list(): KubernetesObject[] {
    return [];
  }
  get(): KubernetesObject | undefined {
    return undefined;
  }
}

describe('watched collections', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('when the watch keeps failing, then it restarts after each backoff delay and logs the streak once', async () => {
    jest.useFakeTimers();
    const { log, lines } = capture();
    const informer = new FakeInformer();
    informer.healthy = true;
    const watched = watchedFrom(informer as unknown as Informer<KubernetesObject> & ObjectCache<KubernetesObject>, log, 'nodes', { random: () => 0 });
    await watched.start();
    informer.healthy = false;
    informer.emit('error', new Error('watch closed'));
    await jest.advanceTimersByTimeAsync(799);
    expect(informer.starts).toBe(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(informer.starts).toBe(2);
    await jest.advanceTimersByTimeAsync(1600 + 3200);
    expect(informer.starts).toBe(4);
    informer.healthy = true;
    await jest.advanceTimersByTimeAsync(6400);
    expect(informer.starts).toBe(5);
    informer.emit('add', { metadata: { name: 'n1' } });
    expect(lines.map((l) => l.msg)).toEqual(['watch failed; retrying with backoff (logged once until it recovers)', 'watch recovered']);
    await watched.stop();
  });
});
