/**
 * Pure builders of the pod status a simulated kubelet reports: a running pod (Ready or still starting)
 * and a finished check pod with its termination message.
 */
import type { V1ContainerStatus, V1Pod, V1PodCondition, V1PodStatus } from '@kubernetes/client-node';

export interface RunFacts {
  podIP: string;
  hostIP: string;
  startedAt: Date;
  /** When the pod was first scheduled (PodScheduled transition). */
  scheduledAt: Date;
  ready: boolean;
  restartCount: number;
}

const cond = (type: string, status: boolean, at: Date): V1PodCondition => ({
  type,
  status: status ? 'True' : 'False',
  lastTransitionTime: at,
});

function containerStatuses(pod: V1Pod, facts: RunFacts): V1ContainerStatus[] {
  return (pod.spec?.containers ?? []).map((c) => ({
    name: c.name,
    image: c.image ?? '',
    imageID: '',
    containerID: `containerd://${c.name}-${facts.startedAt.getTime().toString(16)}`,
    ready: facts.ready,
    started: true,
    restartCount: facts.restartCount,
    state: { running: { startedAt: facts.startedAt } },
    lastState: {},
  }));
}

/** Status of a running pod; Ready follows `facts.ready`. */
export function runningStatus(pod: V1Pod, facts: RunFacts): V1PodStatus {
  return {
    phase: 'Running',
    conditions: [
      cond('Initialized', true, facts.startedAt),
      cond('Ready', facts.ready, facts.startedAt),
      cond('ContainersReady', facts.ready, facts.startedAt),
      cond('PodScheduled', true, facts.scheduledAt),
    ],
    hostIP: facts.hostIP,
    hostIPs: [{ ip: facts.hostIP }],
    podIP: facts.podIP,
    podIPs: [{ ip: facts.podIP }],
    startTime: facts.startedAt,
    containerStatuses: containerStatuses(pod, facts),
    qosClass: 'BestEffort',
  };
}

/** Status of a pod whose single run ended: Succeeded (exit 0) or Failed (exit 1), with the message. */
export function finishedStatus(pod: V1Pod, facts: RunFacts & { finishedAt: Date; succeeded: boolean; message: string }): V1PodStatus {
  const running = runningStatus(pod, { ...facts, ready: false });
  return {
    ...running,
    phase: facts.succeeded ? 'Succeeded' : 'Failed',
    containerStatuses: (running.containerStatuses ?? []).map((s) => ({
      ...s,
      started: false,
      state: {
        terminated: {
          exitCode: facts.succeeded ? 0 : 1,
          reason: facts.succeeded ? 'Completed' : 'Error',
          message: facts.message,
          startedAt: facts.startedAt,
          finishedAt: facts.finishedAt,
          containerID: s.containerID,
        },
      },
    })),
  };
}

/** The conditions of a pod whose node went down: still bound, no longer ready. */
export function nodeDownConditions(scheduledAt: Date, now: Date): V1PodCondition[] {
  return [cond('Initialized', true, scheduledAt), cond('Ready', false, now), cond('ContainersReady', false, now), cond('PodScheduled', true, scheduledAt)];
}

/** Whether the reported status already says what the kubelet runs (no write needed). */
export function statusShows(pod: V1Pod, facts: { podIP: string; ready: boolean; restartCount: number }): boolean {
  const s = pod.status;
  const readyNow = (s?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
  return s?.phase === 'Running' && s.podIP === facts.podIP && readyNow === facts.ready && s.containerStatuses?.[0]?.restartCount === facts.restartCount;
}
