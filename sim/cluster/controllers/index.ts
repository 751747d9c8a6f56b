/**
 * Starts the simulated control-plane controllers (DaemonSet, Deployment, ReplicaSet, scheduler) over shared
 * informers. Embedded and standalone modes only: against a real cluster its own controllers do this.
 */
import type { InformerSet } from '../informers.js';
import { DaemonSetController } from './daemonset-controller.js';
import type { ControllerDeps } from './deps.js';
import { DeploymentController } from './deployment-controller.js';
import { ReplicaSetController } from './replicaset-controller.js';
import { SchedulerLoop } from './scheduler-loop.js';

export interface RunningControllers {
  /** Resolves when no controller has work queued or running. */
  idle(): Promise<void>;
  stop(): void;
}

export async function startControllers(deps: ControllerDeps, informers: InformerSet): Promise<RunningControllers> {
  const [nodes, pods, daemonSets, deployments, replicaSets] = await Promise.all([
    informers.nodes(),
    informers.pods(),
    informers.daemonSets(),
    informers.deployments(),
    informers.replicaSets(),
  ]);
  const controllers = [
    new DaemonSetController(deps, { nodes, pods, daemonSets }),
    new DeploymentController(deps, { deployments, replicaSets }),
    new ReplicaSetController(deps, { nodes, pods, replicaSets }),
    new SchedulerLoop(deps, { nodes, pods }),
  ];
  for (const c of controllers) c.start();
  return {
    idle: async () => {
      await Promise.all(controllers.map((c) => c.queue.idle()));
    },
    stop: () => {
      for (const c of controllers) c.queue.close();
    },
  };
}
