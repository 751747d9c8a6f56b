/**
 * Event-driven waits on the API: watch a collection (one field-selected object, or all) and resolve when a
 * predicate holds, or fail with a DeadlineError. No polling, no fixed sleeps.
 */
import { Watch, type KubeConfig } from '@kubernetes/client-node';
import { DeadlineError, describeError } from '../../shared/errors.js';

export interface WaitSpec<T> {
  /** Collection path, e.g. `/apis/apiextensions.k8s.io/v1/customresourcedefinitions`. */
  path: string;
  fieldSelector?: string;
  labelSelector?: string;
  /** Holds on the object the wait is for. */
  satisfied: (obj: T) => boolean;
  deadlineMs: number;
  what: string;
}

export async function waitForObject<T>(kc: KubeConfig, spec: WaitSpec<T>): Promise<T> {
  const query: Record<string, string> = {};
  if (spec.fieldSelector) query.fieldSelector = spec.fieldSelector;
  if (spec.labelSelector) query.labelSelector = spec.labelSelector;
  let abort: AbortController | undefined;
  let timer: NodeJS.Timeout | undefined;
  try {
    return await new Promise<T>((resolve, reject) => {
      timer = setTimeout(() => reject(new DeadlineError(spec.what, spec.deadlineMs)), spec.deadlineMs);
      const onEvent = (_type: string, obj: T): void => {
        if (spec.satisfied(obj)) resolve(obj);
      };
      const onDone = (err: unknown): void => {
        if (err) reject(err instanceof Error ? err : new Error(describeError(err)));
      };
      new Watch(kc).watch(spec.path, query, onEvent, onDone).then((a) => (abort = a), reject);
    });
  } finally {
    clearTimeout(timer);
    abort?.abort();
  }
}
