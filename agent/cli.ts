/**
 * The `cni-migrate-agent` command line. `run` (the default) is the DaemonSet's long-running mode.
 */
import { Command } from 'commander';
import { AGENT_ENV_PREFIX, agentConfigSpec, type AgentConfig } from '../shared/config.js';
import { addConfigOptions, configFromCommand } from '../shared/cli-config.js';
import { VERSION } from '../shared/version.js';

export interface AgentCliHandlers {
  run(config: AgentConfig): Promise<void>;
}

export function buildAgentProgram(env: Record<string, string | undefined>, handlers: AgentCliHandlers): Command {
  const program = new Command('cni-migrate-agent')
    .description('Node-local side of cni-migrate: reboots, validation checks and Calico cleanup on this node.')
    .version(VERSION)
    .exitOverride()
    .showHelpAfterError();
  const run = new Command('run').description('Run the agent (the DaemonSet mode): talk to the coordinator.');
  addConfigOptions(run, agentConfigSpec, AGENT_ENV_PREFIX).action(async (_opts, cmd: Command) => {
    await handlers.run(configFromCommand(cmd, agentConfigSpec, AGENT_ENV_PREFIX, env));
  });
  program.addCommand(run.exitOverride(), { isDefault: true });
  return program;
}
