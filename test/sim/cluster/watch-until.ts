/** Test helper: watch a collection and resolve once a predicate over its current objects holds (with a deadline). */
import { Watch, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { DeadlineError } from '../../../shared/errors.js';

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
  let abort: AbortController | undefined;
  let timer: NodeJS.Timeout | undefined;
  const deadlineMs = spec.deadlineMs ?? 15_000;
  try {
    return await new Promise<T[]>((resolve, reject) => {
      timer = setTimeout(() => reject(new DeadlineError(spec.what, deadlineMs)), deadlineMs);
      const onEvent = (type: string, obj: T): void => {
        if (type === 'DELETED') items.delete(keyOf(obj));
        else if (type === 'ADDED' || type === 'MODIFIED') items.set(keyOf(obj), obj);
        const all = [...items.values()];
        if (spec.until(all)) resolve(all);
      };
      new Watch(kc).watch(spec.path, spec.query ?? {}, onEvent, () => undefined).then((a) => (abort = a), reject);
    });
  } finally {
    clearTimeout(timer);
    abort?.abort();
  }
}
