/** The demo's flags, validated with zod (bad flags: a clear error, nothing started). */
import { Command, Option } from 'commander';
import { z } from 'zod';
import { ConfigError } from '../../shared/errors.js';
import { SEED_BREAKS, SeedSettingsSchema } from '../cluster/seed/settings.js';

export const SCENARIOS = [
  'happy',
  'pdb-blocked',
  'node-never-returns',
  'dns-broken-on-node',
  'coordinator-restarts',
  'cilium-never-ready',
  'no-legacy-routing',
  ...SEED_BREAKS,
] as const;
export type Scenario = (typeof SCENARIOS)[number];

/** Scenarios whose fault the demo can lift before `--then retry`. */
export const LIFTABLE: readonly Scenario[] = ['pdb-blocked', 'dns-broken-on-node'];
/** Scenarios that halt a node the demo can roll back to Calico (`--then rollback`) once the fault is lifted. */
export const ROLLBACKABLE: readonly Scenario[] = ['dns-broken-on-node'];

export const THEN_REQUESTS = ['retry', 'rollback'] as const;
export type ThenRequest = (typeof THEN_REQUESTS)[number];

export const DemoOptionsSchema = z.strictObject({
  nodes: z.coerce.number().int().min(2).max(1000).default(6),
  concurrency: z.coerce.number().int().min(1).max(50).default(1),
  scenario: z.enum(SCENARIOS).default('happy'),
  kubeconfig: z.string().min(1).optional(),
  json: z.boolean().default(false),
  keep: z.boolean().default(false),
  seed: z.coerce.number().int().min(0).default(1),
  then: z.enum(THEN_REQUESTS).optional(),
  /** The whole runbook: after every node, promote Cilium, remove Calico, clean every node, remove the CRDs. */
  full: z.boolean().default(false),
  /** With --full: after the cleanup, reboot every node once more (spec.stages.rebootNodes). */
  rebootAfterCleanup: z.boolean().default(false),
  calicoPool: SeedSettingsSchema.shape.calicoPool.optional(),
  calicoInstall: z.enum(['manifest', 'operator']).optional(),
  /** `manifest`: Cilium without Helm; with --full, the coordinator writes the promotion keys itself. */
  ciliumInstall: z.enum(['helm', 'manifest']).optional(),
  /** A Helm values file Cilium is installed with (e.g. `cni-migrate values --stage migration`'s output). */
  ciliumValues: z.string().min(1).optional(),
}).refine((o) => !o.rebootAfterCleanup || o.full, {
  path: ['reboot-after-cleanup'],
  message: 'applies to --full (it is a stage after the cleanup)',
}).refine((o) => o.then !== 'retry' || LIFTABLE.includes(o.scenario), {
  path: ['then'],
  message: `retry applies to the scenarios whose fault the demo can lift: ${LIFTABLE.join(', ')}`,
}).refine((o) => o.then !== 'rollback' || ROLLBACKABLE.includes(o.scenario), {
  path: ['then'],
  message: `rollback applies to the scenarios that halt a node it can roll back: ${ROLLBACKABLE.join(', ')}`,
});
export type DemoOptions = z.infer<typeof DemoOptionsSchema>;

export function parseDemoOptions(raw: Record<string, unknown>): DemoOptions {
  const parsed = DemoOptionsSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => `--${i.path.join('.') || '(flags)'}: ${i.message}`);
  throw new ConfigError(`invalid demo flags:\n  ${issues.join('\n  ')}`, issues);
}

export function buildDemoProgram(run: (opts: DemoOptions) => Promise<unknown>): Command {
  return new Command('demo')
    .description('Migrate a simulated cluster from Calico to Cilium, node by node, with the real coordinator and agents.')
    .option('--nodes <n>', 'nodes in the simulated cluster (1 control plane + workers)')
    .option('--concurrency <k>', 'nodes migrated at once')
    .addOption(new Option('--scenario <name>', 'what goes wrong').choices(SCENARIOS))
    .option('--kubeconfig <path>', 'run against an existing cluster: add simulated demo-* nodes to it and migrate only those')
    .addOption(
      new Option('--then <request>', 'after the halt, lift the fault and act as the operator would: retry the halted node, or roll it back to Calico and then migrate it again').choices(THEN_REQUESTS),
    )
    .option('--full', 'the whole runbook: then promote Cilium (playing the helm upgrade), remove Calico, clean every node, remove the CRDs')
    .option('--cilium-values <file>', "install the simulated cluster's Cilium with these Helm values (e.g. the output of cni-migrate values --stage migration)")
    .option('--reboot-after-cleanup', 'with --full: after the cleanup, reboot every node once more, k at a time (spec.stages.rebootNodes)')
    .option('--json', 'print only the JSON summary on stdout (the live view and the summary go to stderr)')
    .option('--keep', 'with --kubeconfig: keep what the demo created instead of removing it on exit')
    .option('--seed <n>', 'seed of the simulated cluster')
    .option('--calico-pool <cidr>', "Calico's IPPool in the simulated cluster (default 10.244.0.0/16; Calico's own default is 192.168.0.0/16)")
    .addOption(new Option('--calico-install <how>', 'how Calico was installed in the simulated cluster').choices(['manifest', 'operator']))
    .addOption(
      new Option('--cilium-install <how>', 'how Cilium was installed (manifest: no Helm release; with --full, cni-migrate patches cilium-config at promotion)').choices(['helm', 'manifest']),
    )
    .addHelpText('after', `
Exit codes:
  0  the scenario ended as it should: every node migrated (happy, coordinator-restarts, any scenario with --then),
     or the rollout halted on the broken node naming the cause (the failure scenarios), or pre-flight halted it before
     any node was touched (the pre-flight scenarios: ${SEED_BREAKS.filter((b) => b !== 'bgp-peers').join(', ')})
  1  it did not (a node was not migrated, or the halt was not the expected one), or the run failed
  2  bad flags; nothing was started
  130  interrupted (Ctrl-C or SIGTERM); with --kubeconfig, what the run created was removed first`)
    .exitOverride()
    .showHelpAfterError()
    .action(async (raw: Record<string, unknown>) => {
      await run(parseDemoOptions(raw));
    });
}
