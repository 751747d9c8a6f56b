/**
 * The `cni-migrate-agent` command line. `run` (the default) is the DaemonSet's long-running mode;
 * `inventory` and `cleanup` act on the node (the network namespace they run in) and return an exit
 * code: 0 only when nothing of Calico's is left.
 */
import { Command, Option } from 'commander';
import { AGENT_ENV_PREFIX, agentConfigSpec, type AgentConfig } from '../shared/config.js';
import { addConfigOptions, configFromCommand } from '../shared/cli-config.js';
import { VERSION } from '../shared/version.js';

export type OutputFormat = 'json' | 'text';

export interface NodeCommandFlags {
  output: OutputFormat;
  /** Where the host's filesystem is (`/` when run on the host itself). */
  hostRoot: string;
  /** procfs showing the host's processes (`/proc`). */
  procRoot: string;
}

export interface CleanupFlags extends NodeCommandFlags {
  dryRun: boolean;
  force: boolean;
}

export interface AgentCliHandlers {
  run(config: AgentConfig): Promise<void>;
  /** Returns the exit code. */
  inventory?(flags: NodeCommandFlags): Promise<number>;
  /** Returns the exit code. */
  cleanup?(flags: CleanupFlags): Promise<number>;
}

const DEFAULT_HOST_ROOT = '/host';

function addNodeOptions(cmd: Command, env: Record<string, string | undefined>): Command {
  return cmd
    .addOption(new Option('-o, --output <format>', 'report format').choices(['json', 'text']).default('text'))
    .addOption(
      new Option('--host-root <dir>', "where the host's filesystem is mounted ('/' on the host itself)").default(
        env[`${AGENT_ENV_PREFIX}HOST_ROOT`] ?? DEFAULT_HOST_ROOT,
      ),
    )
    .addOption(new Option('--proc-root <dir>', "procfs showing the host's processes").default('/proc'));
}

interface RawNodeOptions {
  output: OutputFormat;
  hostRoot: string;
  procRoot: string;
  dryRun?: boolean;
  force?: boolean;
}

const nodeFlags = (o: RawNodeOptions): NodeCommandFlags => ({ output: o.output, hostRoot: o.hostRoot, procRoot: o.procRoot });

/** `onExitCode` receives the code a node command decided (the `run` mode has none). */
export function buildAgentProgram(
  env: Record<string, string | undefined>,
  handlers: AgentCliHandlers,
  onExitCode: (code: number) => void = () => undefined,
): Command {
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

  const inventory = new Command('inventory').description(
    "List Calico's leftovers in this network namespace and host root. Exit 0 when none, 1 when some.",
  );
  addNodeOptions(inventory, env).action(async (o: RawNodeOptions) => {
    if (handlers.inventory) onExitCode(await handlers.inventory(nodeFlags(o)));
  });
  program.addCommand(inventory.exitOverride());

  const cleanup = new Command('cleanup').description(
    "Remove Calico's leftovers. Exit 0 only when nothing of Calico's is left (dry run: when nothing would go).",
  );
  addNodeOptions(cleanup, env)
    .option('--dry-run', 'only report what would go and the exact payloads', false)
    .option('--force', 'clean even while calico-node still runs on the node', false)
    .action(async (o: RawNodeOptions) => {
      const flags = { ...nodeFlags(o), dryRun: o.dryRun === true, force: o.force === true };
      if (handlers.cleanup) onExitCode(await handlers.cleanup(flags));
    });
  program.addCommand(cleanup.exitOverride());
  return program;
}

/** Parses argv (node-style, with the two leading entries) and returns the exit code. */
export async function runAgentCli(
  argv: readonly string[],
  env: Record<string, string | undefined>,
  handlers: AgentCliHandlers,
): Promise<number> {
  let code = 0;
  await buildAgentProgram(env, handlers, (c) => (code = c)).parseAsync([...argv]);
  return code;
}
