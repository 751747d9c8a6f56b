/**
 * The Kubernetes edge of the validation check: create the check pod, watch it until its container
 * terminated (with a deadline), hand back its termination message, delete it. A transient API error (a
 * dropped watch, a 5xx, no answer) is retried within the deadline: one such error must not fail a validation.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { CoreV1Api, Watch, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { CHECK_CONTAINER_NAME } from '../../shared/checks.js';
import { CniMigrateError, DeadlineError } from '../../shared/errors.js';
import { httpStatusOf } from '../../shared/http-status.js';
import { retryTransient } from '../../shared/retry-transient.js';

export interface CheckPodOutcome {
  /** The container's termination message ('' when it wrote none). */
  message: string;
  phase: string;
}

export interface CheckPodApi {
  /**
   * Creates the pod by `until` (epoch ms), retrying transient API errors. A 409 means "already exists"
   * only when the existing pod is this agent's for this order (a redelivered order, or a create whose
   * answer was lost); any other pod of that name is a real conflict.
   */
  create(pod: V1Pod, until?: number): Promise<void>;
  /** Waits for the check container to terminate; a dropped watch or a failed read is retried until `deadlineMs` passed. */
  waitForTermination(name: string, deadlineMs: number): Promise<CheckPodOutcome>;
  /** Deletes the pod; a missing pod is fine. */
  remove(name: string): Promise<void>;
}

/** The existing pod is the one this agent creates for this order (same owner pod uid, same name). */
export function isOurCheckPod(existing: V1Pod, wanted: V1Pod): boolean {
  const owner = (p: V1Pod): string | undefined => p.metadata?.ownerReferences?.find((o) => o.kind === 'Pod')?.uid;
  return existing.metadata?.name === wanted.metadata?.name && owner(existing) !== undefined && owner(existing) === owner(wanted);
}

const checkContainerTermination = (pod: V1Pod) =>
  (pod.status?.containerStatuses ?? []).find((c) => c.name === CHECK_CONTAINER_NAME)?.state?.terminated;

/** The outcome once the check container terminated (or the pod failed without it), else undefined. */
export function terminatedOutcome(pod: V1Pod): CheckPodOutcome | undefined {
  const phase = pod.status?.phase ?? 'Pending';
  const terminated = checkContainerTermination(pod);
  if (terminated !== undefined) return { message: terminated.message ?? '', phase };
  if (phase === 'Succeeded' || phase === 'Failed') return { message: '', phase };
  return undefined;
}

export function kubeCheckPods(kc: KubeConfig, namespace: string): CheckPodApi {
  const core = kc.makeApiClient(CoreV1Api);
  const watch = new Watch(kc);
  /** The resourceVersion of each pod this client created (a redelivered order's pod is read instead). */
  const createdAt = new Map<string, string>();
  const remember = (created: V1Pod): void => {
    const { name, resourceVersion } = created.metadata ?? {};
    if (name !== undefined && resourceVersion !== undefined) createdAt.set(name, resourceVersion);
  };

  /** Watches from `resourceVersion` until the pod terminated (an outcome), the watch ended (undefined), or `until`. */
  function watchOnce(name: string, resourceVersion: string, until: number): Promise<CheckPodOutcome | undefined> {
    return new Promise((resolve) => {
      let abort: AbortController | undefined;
      let settled = false;
      const finish = (outcome: CheckPodOutcome | undefined): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        abort?.abort();
        resolve(outcome);
      };
      const timer = setTimeout(() => finish(undefined), Math.max(0, until - Date.now()));
      const onEvent = (type: string, obj: V1Pod): void => {
        const outcome = type === 'DELETED' ? { message: '', phase: 'Deleted' } : terminatedOutcome(obj);
        if (outcome !== undefined) finish(outcome);
      };
      const query = { fieldSelector: `metadata.name=${name}`, resourceVersion, allowWatchBookmarks: false };
      watch.watch(`/api/v1/namespaces/${namespace}/pods`, query, onEvent, () => finish(undefined)).then(
        (ctl) => {
          abort = ctl;
          if (settled) ctl.abort();
        },
        () => finish(undefined),
      );
    });
  }

  /** The pod now: its outcome if it terminated (or is gone), else the resourceVersion to watch from. */
  async function readState(name: string, until: number): Promise<CheckPodOutcome | string> {
    try {
      const pod = await retryTransient(() => core.readNamespacedPod({ namespace, name }), until);
      return terminatedOutcome(pod) ?? pod.metadata?.resourceVersion ?? '0';
    } catch (e) {
      if (httpStatusOf(e) === 404) return { message: '', phase: 'Deleted' };
      throw new CniMigrateError('KubeApi', `cannot read check pod ${name}`, { cause: e });
    }
  }

  async function adoptExisting(pod: V1Pod, until: number): Promise<boolean> {
    const name = pod.metadata?.name ?? '';
    try {
      const existing = await retryTransient(() => core.readNamespacedPod({ namespace, name }), until);
      if (isOurCheckPod(existing, pod)) return true;
      const owner = existing.metadata?.ownerReferences?.[0]?.name ?? 'no owner';
      throw new CniMigrateError('Conflict', `a pod named ${name} exists and is not this agent's check pod (owned by ${owner})`);
    } catch (e) {
      if (httpStatusOf(e) === 404) return false;
      throw e;
    }
  }

  return {
    async create(pod, until = Date.now() + 30_000) {
      for (;;) {
        try {
          remember(await retryTransient(() => core.createNamespacedPod({ namespace, body: pod }), until));
          return;
        } catch (e) {
          if (httpStatusOf(e) !== 409) throw new CniMigrateError('KubeApi', 'cannot create the check pod', { cause: e });
          if (await adoptExisting(pod, until)) return;
          if (Date.now() >= until) throw new CniMigrateError('KubeApi', 'cannot create the check pod: conflicts until the deadline', { cause: e });
          await delay(200);
        }
      }
    },
    async waitForTermination(name, deadlineMs) {
      const until = Date.now() + deadlineMs;
      // A pod this client just created cannot have terminated at its creation: the first watch starts there.
      let fresh = createdAt.get(name);
      createdAt.delete(name);
      while (Date.now() < until) {
        const state = fresh ?? (await readState(name, until));
        fresh = undefined;
        if (typeof state !== 'string') return state;
        const watched = Date.now();
        const outcome = await watchOnce(name, state, until);
        if (outcome !== undefined) return outcome;
        if (Date.now() - watched < 500) await delay(200);
      }
      throw new DeadlineError(`check pod ${name}`, deadlineMs);
    },
    async remove(name) {
      try {
        await retryTransient(() => core.deleteNamespacedPod({ namespace, name, gracePeriodSeconds: 0 }), Date.now() + 10_000);
      } catch (e) {
        if (httpStatusOf(e) !== 404) throw new CniMigrateError('KubeApi', `cannot delete check pod ${name}`, { cause: e });
      }
    },
  };
}
