/**
 * The `cni-migrate` command line: `coordinator` runs the server; operator commands sit beside it.
 */
import { Command, Option } from 'commander';
import { COORDINATOR_ENV_PREFIX, coordinatorConfigSpec, type CoordinatorConfig } from '../shared/config.js';
import { addConfigOptions, configFromCommand } from '../shared/cli-config.js';
import { VERSION } from '../shared/version.js';
import { envName } from '../shared/config-spec.js';
import { loadKubeConfig } from './kube/kubeconfig.js';
import { operatorApi, parseNodeName, requestNode, requestStageRetry, setPaused, showStatus, type OperatorApi, type StatusFormat } from './operator.js';
import { ConfigError } from '../shared/errors.js';
import { watchStatus } from './status-watch.js';
import { planCommand, preflightCommand, valuesCommand, type ReportFormat } from './cluster-commands.js';
import { clusterReader, type ClusterReader } from './kube/cluster-read.js';
import { calicoBackupApi, type CalicoBackupApi } from './kube/calico-backup.js';
import { backupCommand, type BackupCommandOptions } from './backup-command.js';

export interface CoordinatorCliHandlers {
  coordinator(config: CoordinatorConfig): Promise<void>;
  /** The operator commands' API (default: client-node with --kubeconfig, else the user's kubeconfig). */
  operator?: (kubeconfig: string | undefined) => OperatorApi;
  /** What preflight, plan and values read (default: client-node with --kubeconfig, else the user's kubeconfig). */
  clusterRead?: (kubeconfig: string | undefined) => ClusterReader;
  /** What `backup` reads (default: client-node with --kubeconfig, else the user's kubeconfig). */
  backupRead?: (kubeconfig: string | undefined, namespace: string) => CalicoBackupApi;
  /** Where operator commands print (default: stdout). */
  out?: (text: string) => void;
  /** Ends `status --watch` (main: SIGINT or SIGTERM). */
  watchUntil?: () => Promise<unknown>;
  /** `status --watch` redraws in place on a terminal, else prints each change below the last. */
  tty?: boolean;
}

const STATUS_FORMATS = ['text', 'wide', 'json'] as const;

/** `retry NODE` or `retry --stage`: exactly one of them. */
function retryTarget(api: OperatorApi, node: string, stage: boolean): Promise<string> {
  if (stage === (node !== '')) throw new ConfigError('retry takes a NODE or --stage (the halted cluster-level stage), not both or neither');
  return stage ? requestStageRetry(api) : requestNode(api, node, 'retry');
}

/** `status`, `pause`, `resume`, `retry NODE`, `rollback NODE`: edit the Migration and the Nodes through the API. */
function addOperatorCommands(program: Command, env: Record<string, string | undefined>, h: CoordinatorCliHandlers): void {
  const api = (cmd: Command): OperatorApi => {
    const opts: { kubeconfig?: string } = cmd.opts();
    const path = opts.kubeconfig ?? env[envName(COORDINATOR_ENV_PREFIX, 'kubeconfig')];
    return (h.operator ?? ((p) => operatorApi(loadKubeConfig(p, 'default'))))(path);
  };
  const out = h.out ?? ((t: string) => void process.stdout.write(t));
  const command = (name: string, description: string, run: (a: OperatorApi, node: string) => Promise<string>) => {
    const c = new Command(name)
      .description(description)
      .option('--kubeconfig <path>', 'Path to a kubeconfig (default: $KUBECONFIG or ~/.kube/config).')
      .exitOverride();
    return c.action(async (...args: unknown[]) => {
      const node = typeof args[0] === 'string' ? parseNodeName(args[0]) : '';
      out(await run(api(c), node));
    });
  };
  const status = command('status', 'Show the rollout: stage, progress, each node in flight, pending requests, and what to do on a halt.', (a) => {
    const opts: { output: StatusFormat; watch?: boolean } = status.opts();
    if (!opts.watch) return showStatus(a, opts.output);
    return watchStatus(a, opts.output, { out, tty: h.tty ?? false, until: (h.watchUntil ?? (() => new Promise(() => undefined)))() }).then(() => '');
  });
  status
    .addOption(new Option('-o, --output <format>', 'text, wide (one row per node) or json').choices(STATUS_FORMATS).default('text'))
    .option('-w, --watch', 'keep the view up to date: it watches the Migration and the Nodes and redraws on each change');
  program.addCommand(status);
  program.addCommand(command('pause', 'Pause the rollout: no node starts a new step.', (a) => setPaused(a, true)));
  program.addCommand(command('resume', 'Resume a paused rollout.', (a) => setPaused(a, false)));
  const retry = command('retry', 'Retry a halted node from its failed step (or migrate a rolled-back node again), or with --stage the halted cluster-level stage.', (a, n) =>
    retryTarget(a, n, retry.opts<{ stage?: boolean }>().stage === true),
  );
  program.addCommand(retry.argument('[node]', 'The node to retry.').option('--stage', 'retry the halted stage step (promote, remove Calico, clean nodes, remove CRDs) instead of a node'));
  program.addCommand(
    command('rollback', 'Roll a halted node back to Calico.', (a, n) => requestNode(a, n, 'rollback')).argument(
      '<node>',
      'The node to roll back.',
    ),
  );
}

const REPORT_FORMATS = ['text', 'json'] as const;

/** `preflight`, `plan`, `values --stage`: read the cluster, change nothing. */
function addClusterCommands(program: Command, env: Record<string, string | undefined>, h: CoordinatorCliHandlers): void {
  const out = h.out ?? ((t: string) => void process.stdout.write(t));
  const reader = (cmd: Command): ClusterReader => {
    const opts: { kubeconfig?: string } = cmd.opts();
    const path = opts.kubeconfig ?? env[envName(COORDINATOR_ENV_PREFIX, 'kubeconfig')];
    return (h.clusterRead ?? ((p) => clusterReader(loadKubeConfig(p, 'default'))))(path);
  };
  const command = (name: string, description: string) =>
    new Command(name).description(description).option('--kubeconfig <path>', 'Path to a kubeconfig (default: $KUBECONFIG or ~/.kube/config).').exitOverride();
  const format = () => new Option('-o, --output <format>', 'text or json').choices(REPORT_FORMATS).default('text');
  const preflight = command('preflight', 'Check the cluster before anything is touched: blockers (exit 1) and warnings, each with its fix.').addOption(format());
  preflight.action(() => preflightCommand(reader(preflight), preflight.opts<{ output: ReportFormat }>().output, out));
  const plan = command('plan', 'Show the migration plan: node order and why, pods each drain evicts and their budgets, findings, duration.').addOption(format());
  plan.action(() => planCommand(reader(plan), plan.opts<{ output: ReportFormat }>().output, out));
  const values = command('values', "Print Cilium's Helm values generated from the cluster: for the migration install, or the final promotion.");
  values.addOption(new Option('--stage <stage>', 'migration or final').choices(['migration', 'final']).makeOptionMandatory());
  values.action(() => valuesCommand(reader(values), values.opts<{ stage: 'migration' | 'final' }>().stage, out));
  for (const c of [preflight, plan, values]) program.addCommand(c);
  program.addCommand(backupCommandOf(env, h, out));
}

/** `backup -f FILE`: the Calico objects worth keeping, to a file (from the live cluster, else the stored backup). */
function backupCommandOf(env: Record<string, string | undefined>, h: CoordinatorCliHandlers, out: (t: string) => void): Command {
  const backup = new Command('backup')
    .description("Write Calico's objects worth keeping (pools, Felix/BGP configuration, policies, network sets, host endpoints, the Installation) to a file.")
    .option('--kubeconfig <path>', 'Path to a kubeconfig (default: $KUBECONFIG or ~/.kube/config).')
    .requiredOption('-f, --file <path>', 'the file to write (never overwritten; - for stdout)')
    .addOption(new Option('-o, --output <format>', 'yaml (documents) or json (a List)').choices(['yaml', 'json']).default('yaml'))
    .addOption(new Option('--from <source>', 'live: the Calico CRDs; stored: the backup ConfigMaps the RemoveCalico stage wrote; auto: live, else stored').choices(['auto', 'live', 'stored']).default('auto'))
    .option('--namespace <ns>', "the coordinator's namespace, where the stored backup is", 'cni-migrate')
    .exitOverride();
  return backup.action(async () => {
    const o = backup.opts<BackupCommandOptions & { kubeconfig?: string; namespace: string }>();
    const path = o.kubeconfig ?? env[envName(COORDINATOR_ENV_PREFIX, 'kubeconfig')];
    const api = (h.backupRead ?? ((p, ns) => calicoBackupApi(loadKubeConfig(p, 'default'), ns)))(path, o.namespace);
    out(await backupCommand(api, { file: o.file, output: o.output, from: o.from }, out));
  });
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
  addOperatorCommands(program, env, handlers);
  addClusterCommands(program, env, handlers);
  return program;
}
