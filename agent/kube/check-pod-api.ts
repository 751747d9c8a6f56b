/**
 * The Kubernetes edge of the validation check: create the check pod, watch it until its container
 * terminated (with a deadline), hand back its termination message, delete it.
 */
import { CoreV1Api, Watch, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { CHECK_CONTAINER_NAME } from '../../shared/checks.js';
import { CniMigrateError, DeadlineError } from '../../shared/errors.js';
import { httpStatusOf } from '../../shared/http-status.js';

export interface CheckPodOutcome {
  /** The container's termination message ('' when it wrote none). */
  message: string;
  phase: string;
}

export interface CheckPodApi {
  /** Creates the pod; an existing pod of that name (a redelivered order) is reused. */
  create(pod: V1Pod): Promise<void>;
  waitForTermination(name: string, deadlineMs: number): Promise<CheckPodOutcome>;
  /** Deletes the pod; a missing pod is fine. */
  remove(name: string): Promise<void>;
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

  function watchUntilTerminated(name: string, resourceVersion: string, deadlineMs: number): Promise<CheckPodOutcome> {
    return new Promise((resolve, reject) => {
      let abort: AbortController | undefined;
      let settled = false;
      const finish = (fn: () => void): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        abort?.abort();
        fn();
      };
      const timer = setTimeout(() => finish(() => reject(new DeadlineError(`check pod ${name}`, deadlineMs))), deadlineMs);
      const onEvent = (type: string, obj: V1Pod): void => {
        const outcome = type === 'DELETED' ? { message: '', phase: 'Deleted' } : terminatedOutcome(obj);
        if (outcome !== undefined) finish(() => resolve(outcome));
      };
      const onDone = (err: unknown): void => {
        finish(() => reject(new CniMigrateError('KubeApi', `watch of check pod ${name} ended early`, { cause: err })));
      };
      const query = { fieldSelector: `metadata.name=${name}`, resourceVersion, allowWatchBookmarks: false };
      watch.watch(`/api/v1/namespaces/${namespace}/pods`, query, onEvent, onDone).then(
        (ctl) => (abort = ctl),
        (err: unknown) => onDone(err),
      );
    });
  }

  return {
    async create(pod) {
      try {
        const created = await core.createNamespacedPod({ namespace, body: pod });
        const name = created.metadata?.name;
        if (name && created.metadata?.resourceVersion) createdAt.set(name, created.metadata.resourceVersion);
      } catch (e) {
        if (httpStatusOf(e) !== 409) throw new CniMigrateError('KubeApi', 'cannot create the check pod', { cause: e });
      }
    },
    async waitForTermination(name, deadlineMs) {
      // A pod this client just created cannot have terminated at its creation: watch on from there.
      const fresh = createdAt.get(name);
      createdAt.delete(name);
      if (fresh !== undefined) return watchUntilTerminated(name, fresh, deadlineMs);
      const pod = await core.readNamespacedPod({ namespace, name });
      const done = terminatedOutcome(pod);
      if (done !== undefined) return done;
      return watchUntilTerminated(name, pod.metadata?.resourceVersion ?? '0', deadlineMs);
    },
    async remove(name) {
      try {
        await core.deleteNamespacedPod({ namespace, name, gracePeriodSeconds: 0 });
      } catch (e) {
        if (httpStatusOf(e) !== 404) throw new CniMigrateError('KubeApi', `cannot delete check pod ${name}`, { cause: e });
      }
    },
  };
}
