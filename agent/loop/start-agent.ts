/**
 * Assembles one agent: its coordinator client, order runner (validation through check pods in its own
 * namespace), and runs the conversation until stopped. Used by the daemon
 * and, with a simulated host, by the demo and the end-to-end tests.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { Fetch } from '../../shared/fetch.js';
import type { Logger } from '../../shared/logger.js';
import type { NodeHost } from '../host/node-host.js';
import { kubeCheckPods } from '../kube/check-pod-api.js';
import { OrderRunner } from '../orders/runner.js';
import { runValidateOrder } from '../orders/validate.js';
import { runAgentLoop } from './agent-loop.js';
import type { Backoff } from './backoff.js';
import { createCoordinatorClient } from './coordinator-client.js';
import type { CoordinatorLocator } from './locate-coordinator.js';

export interface AgentSetup {
  kc: KubeConfig;
  host: NodeHost;
  nodeName: string;
  /** The agent pod: its name and uid (owner of the check pods). */
  pod: { name: string; uid: string; namespace: string };
  agentVersion: string;
  locator: CoordinatorLocator;
  readToken(): Promise<string>;
  checkImage: string;
  forceCleanup: boolean;
  log: Logger;
  backoff?: Backoff;
  /** The HTTP call to the coordinator (default: the global fetch). */
  fetch?: Fetch;
}

export interface RunningAgent {
  /** Resolves when the loop ended (only after `stop`). */
  done: Promise<void>;
  stop(): Promise<void>;
}

export function startAgent(setup: AgentSetup): RunningAgent {
  const { kc, host, nodeName, pod, log } = setup;
  const controller = new AbortController();
  const pods = kubeCheckPods(kc, pod.namespace);
  const runner = new OrderRunner({
    host,
    nodeName,
    podName: pod.name,
    forceCleanup: setup.forceCleanup,
    log,
    validate: (order) =>
      runValidateOrder(
        { pods, nodeName, namespace: pod.namespace, ownerPod: { name: pod.name, uid: pod.uid }, image: setup.checkImage, log },
        order,
      ),
  });
  const api = createCoordinatorClient({
    locate: () => setup.locator.locate(),
    forget: () => setup.locator.forget(),
    readToken: () => setup.readToken(),
    ...(setup.fetch ? { fetch: setup.fetch } : {}),
  });
  const done = runAgentLoop(
    {
      api,
      host,
      runner,
      identity: { nodeName, podName: pod.name, agentVersion: setup.agentVersion },
      log,
      ...(setup.backoff ? { backoff: setup.backoff } : {}),
      onCoordinatorMoved: (cb) => setup.locator.onMoved?.(cb) ?? (() => undefined),
    },
    controller.signal,
  ).finally(() => {
    setup.locator.stop?.();
  });
  return {
    done,
    async stop() {
      controller.abort();
      await done;
    },
  };
}
