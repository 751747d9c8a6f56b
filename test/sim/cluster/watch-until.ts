/**
 * Test helper: watch a collection and resolve once a predicate over its current objects holds (waitFor, woken by
 * each watch event). The watch is always ended, even when it is established only after the wait is over.
 */
import { Watch, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { DeadlineError } from '../../../shared/errors.js';
import { waitFor } from '../../support/wait-for.js';

export interface WatchUntil<T> {
  path: string;
  query?: Record<string, string>;
  until: (items: T[]) => boolean;
  deadlineMs?: number;
  what: string;
}

export async function watchUntil<T extends KubernetesObject>(kc: KubeConfig, spec: WatchUntil<T>): Promise<T[]> {
  const items = new Map<string, T>();
  const keyOf = (o: T): string => `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
  const listeners = new Set<() => void>();
  const deadlineMs = spec.deadlineMs ?? 15_000;
  let events = 0;
  let over = false;
  let abort: AbortController | undefined;
  const stop = new AbortController();
  const onEvent = (type: string, obj: T): void => {
    events += 1;
    if (type === 'DELETED') items.delete(keyOf(obj));
    else if (type === 'ADDED' || type === 'MODIFIED') items.set(keyOf(obj), obj);
    listeners.forEach((wake) => wake());
  };
  const started = new Watch(kc).watch(spec.path, spec.query ?? {}, onEvent, () => undefined).then((a) => {
    abort = a;
    if (over) a.abort();
  });
  const seen = waitFor(
    spec.what,
    () => {
      const all = [...items.values()];
      return events > 0 && spec.until(all) && all;
    },
    {
      timeoutMs: deadlineMs,
      signal: stop.signal,
      wakeOn: (wake) => {
        listeners.add(wake);
        return () => listeners.delete(wake);
      },
    },
  ).catch(() => {
    throw new DeadlineError(spec.what, deadlineMs);
  });
  try {
    const [all] = await Promise.all([seen, started]);
    return all;
  } finally {
    over = true;
    stop.abort();
    abort?.abort();
  }
}
