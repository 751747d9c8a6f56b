/**
 * One watch kept open for as long as its owner wants it: the server ends it after `serverTimeoutSeconds`
 * (plus its own jitter) and it starts again at once; a failed one starts again after a capped, jittered
 * backoff, logged once per failure streak; a watch that neither ends nor answers for a grace period past its
 * server timeout is cut and started again. The caller makes the client-node `Watch` (shared/ makes no calls).
 */
import type { Watch } from '@kubernetes/client-node';
import type { Logger } from './logger.js';
import { WatchRetry } from './watch-retry.js';

/** Client side: a watch that neither ends nor answers for this long past its server timeout is cut. */
const GRACE_MS = 30_000;

export interface KeepWatchingOptions<T> {
  watch: Pick<Watch, 'watch'>;
  path: string;
  query: Record<string, string | number | boolean | undefined>;
  serverTimeoutSeconds: number;
  /** What is watched, for the log line of a failure streak. */
  what: string;
  log: Logger;
  onEvent(type: string, object: T): void;
  /**
   * Called whenever no watch runs: before the first starts and as soon as one ends (the server's timeout or a
   * failure). What the ended watch showed may go stale (an object deleted while no watch runs sends no DELETED
   * event), and a watch with no resourceVersion sends the current objects again: a caller that keeps them
   * forgets them here.
   */
  onGap?(): void;
}

export function keepWatching<T>(o: KeepWatchingOptions<T>): { stop(): void } {
  const retry = new WatchRetry({ log: o.log, what: o.what });
  const query = { ...o.query, timeoutSeconds: o.serverTimeoutSeconds, allowWatchBookmarks: false };
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let current: AbortController | undefined;

  const onEvent = (type: string, object: T): void => {
    retry.recovered();
    o.onEvent(type, object);
  };
  function onDone(err: unknown): void {
    clearTimeout(timer);
    if (stopped) return;
    o.onGap?.();
    // A watch the server ended (its timeout) restarts at once; a failed one after a backoff, logged once per streak.
    timer = setTimeout(start, err ? retry.failed(err) : 0);
  }
  function start(): void {
    if (stopped) return;
    o.watch.watch(o.path, query, onEvent, onDone).then(
      (ctl) => {
        retry.connected();
        current = ctl;
        if (stopped) ctl.abort();
        timer = setTimeout(() => ctl.abort(), o.serverTimeoutSeconds * 1000 + GRACE_MS);
      },
      (err: unknown) => onDone(err),
    );
  }
  o.onGap?.();
  start();

  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
      current?.abort();
    },
  };
}
