/**
 * The `cni-migrate` command line: `coordinator` runs the server; operator commands sit beside it.
 */
import { Command } from 'commander';
import { COORDINATOR_ENV_PREFIX, coordinatorConfigSpec, type CoordinatorConfig } from '../shared/config.js';
import { addConfigOptions, configFromCommand } from '../shared/cli-config.js';
import { VERSION } from '../shared/version.js';

export interface CoordinatorCliHandlers {
  coordinator(config: CoordinatorConfig): Promise<void>;
}

export function buildCoordinatorProgram(
  env: Record<string, string | undefined>,
  handlers: CoordinatorCliHandlers,
): Command {
  const program = new Command('cni-migrate')
    .description('Migrate a live Kubernetes cluster from Calico to Cilium, one node at a time.')
    .version(VERSION)
    .exitOverride()
    .showHelpAfterError();
  const coordinator = new Command('coordinator').description('Run the coordinator (the in-cluster Deployment).');
  addConfigOptions(coordinator, coordinatorConfigSpec, COORDINATOR_ENV_PREFIX).action(async (_o, cmd: Command) => {
    await handlers.coordinator(configFromCommand(cmd, coordinatorConfigSpec, COORDINATOR_ENV_PREFIX, env));
  });
  program.addCommand(coordinator.exitOverride());
  return program;
}
