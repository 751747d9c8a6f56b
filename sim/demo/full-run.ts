/**
 * `npm run demo -- --full`: the second half of the runbook on the simulated cluster. The demo plays the
 * operator's parts: the `helm upgrade` the promotion gate asks for, and (for an operator install) the Tigera
 * operator that clears the Installation's finalizer. The run ends when the Migration is Complete.
 */
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { NodeAnnotation } from '../../shared/names.js';
import { readStageRecord, stageDurations, type NodeInventory, type StageRecord } from '../../coordinator/core/stages/record.js';
import { helmUpgradeCilium } from '../cluster/helm-upgrade.js';
import type { DemoAgents } from './agent-thread.js';
import { rolloutEnd, type MigrationObject, type RolloutEnd } from './migration-watch.js';
import type { WatchedList } from './watch-cache.js';
import type { DemoControls, DemoIo } from './demo-io.js';
import { startTigeraOperator } from './tigera-operator.js';

export const FULL_STAGES = { promote: true, removeCalico: true, cleanNodes: true, removeCrds: true };

/**
 * The Migration's stages: none; with --full all of them, for a Cilium without Helm the coordinator's own
 * cilium-config patch, and with --reboot-after-cleanup the second rolling reboot.
 */
export function stagesOf(opts: { full: boolean; ciliumInstall?: string | undefined; rebootAfterCleanup?: boolean }): Record<string, boolean> {
  if (!opts.full) return {};
  const stages: Record<string, boolean> = { ...FULL_STAGES };
  if (opts.ciliumInstall === 'manifest') stages['patchCiliumConfig'] = true;
  if (opts.rebootAfterCleanup) stages['rebootNodes'] = true;
  return stages;
}

export interface NodeCleanup {
  node: string;
  /** The node's Calico inventory as its cleanup recorded it on the Node (`found <kind>=<n> …; left <n>`). */
  inventory: string | null;
  /** Calico items by kind that the node's cleanup found (and removed), as recorded in the Migration status. */
  found: Record<string, number> | null;
  /** Calico items by kind left after it, as recorded in the Migration status (all 0 when clean). */
  leftByKind: Record<string, number> | null;
  /** Calico items still on the simulated host. */
  left: number;
  /** Cleanups run on the host (1: nobody cleaned a clean node twice). */
  cleanups: number;
}

export interface FullRunSummary {
  calicoInstall: string;
  stage: string;
  /** Seconds each stage took. */
  stageSeconds: Record<string, number>;
  backup: StageRecord['backup'] | null;
  crdsRemoved: string[];
  cleanup: NodeCleanup[];
  ciliumRestartedAt: string | null;
}

export const stageOf = (m: MigrationObject | undefined): StageRecord | undefined =>
  readStageRecord((m?.status as { stage?: unknown } | undefined)?.stage);

/** The full run's end: Complete, or halted (a halted stage has nothing in flight). */
export function fullRunEnd(m: MigrationObject | undefined): RolloutEnd | undefined {
  const end = rolloutEnd(m);
  if (end?.kind === 'completed' && stageOf(m)?.stage !== 'Complete') return undefined;
  return end;
}

/** Runs the helm upgrade once the promotion gate asks for it (once). */
export function playHelmAtGate(admin: KubeConfig, migrations: WatchedList<MigrationObject>, onError: (e: unknown) => void): void {
  let upgraded = false;
  const check = (): void => {
    const r = stageOf(migrations.list()[0]);
    if (upgraded || r?.stage !== 'Promote' || r.step !== 'AwaitingPromotion') return;
    upgraded = true;
    helmUpgradeCilium(admin).catch(onError);
  };
  migrations.onChange(check);
  check();
}

/** The rollout went as it should and (`--full`) the run is Complete, every node cleaned exactly once, nothing of Calico left. */
export const okWithFullRun = (rolloutOk: boolean, f: FullRunSummary | undefined): boolean =>
  rolloutOk && (!f || (f.stage === 'Complete/Done' && f.cleanup.every((c) => c.left === 0 && c.cleanups === 1)));

/** The operator's parts of the full run: the helm upgrade at the promotion gate (Cilium from Helm), and the Tigera operator. */
export async function playOperatorParts(i: {
  admin: KubeConfig;
  migrations: WatchedList<MigrationObject>;
  io: DemoIo;
  controls: () => DemoControls;
  calicoInstall: string;
  ciliumHelm: boolean;
}): Promise<() => Promise<unknown>> {
  if (i.ciliumHelm) playHelmAtGate(i.admin, i.migrations, (e) => i.io.log.error({ err: e }, 'helm upgrade failed'));
  const io = i.io;
  if (io.onStageStep) watchStageSteps(i.migrations, (step) => io.onStageStep?.(step, i.controls()));
  if (i.calicoInstall !== 'operator') return () => Promise.resolve();
  const operator = await startTigeraOperator(i.admin);
  return () => operator.stop();
}

/** A node's host as the summary reads it. */
type SummaryHost = NonNullable<ReturnType<DemoAgents['host']>>;

/** What the full run needs of the demo session. */
export interface FullRunSession {
  readonly admin: KubeConfig;
  readonly opts: { full: boolean; calicoInstall?: string | undefined; ciliumInstall?: string | undefined };
  readonly io: DemoIo;
  readonly fleet: Pick<DemoAgents, 'host' | 'refreshHosts'> | undefined;
  controls(): DemoControls;
  ownNodes(): { metadata?: { name?: string } }[];
}

/** `--full`: the simulation plays the helm upgrade at the gate and the Tigera operator; returns their closer. */
export async function startFullRun(s: FullRunSession, migrations: WatchedList<MigrationObject>): Promise<() => Promise<unknown>> {
  if (!s.opts.full) return () => Promise.resolve();
  const calicoInstall = s.opts.calicoInstall ?? 'manifest';
  const ciliumHelm = s.opts.ciliumInstall !== 'manifest';
  return playOperatorParts({ admin: s.admin, migrations, io: s.io, controls: () => s.controls(), calicoInstall, ciliumHelm });
}

/** `--full` only: the stages' summary. */
export async function fullRunOf(s: FullRunSession, migration: MigrationObject | undefined): Promise<FullRunSummary | undefined> {
  if (!s.opts.full) return undefined;
  await s.fleet?.refreshHosts();
  return fullRunSummary(s.admin, {
    migration,
    nodes: s.ownNodes().map((n) => n.metadata?.name ?? ''),
    host: (n) => s.fleet?.host(n),
    calicoInstall: s.opts.calicoInstall ?? 'manifest',
  });
}

/** Calls `seen` the first time each stage step appears. */
export function watchStageSteps(migrations: WatchedList<MigrationObject>, seen: (step: string) => void): void {
  const steps = new Set<string>();
  migrations.onChange((m) => {
    const r = stageOf(m);
    const step = r ? `${r.stage}/${r.step}` : undefined;
    if (step === undefined || steps.has(step)) return;
    steps.add(step);
    seen(step);
  });
}

function nodeCleanup(node: string, line: string | undefined, recorded: NodeInventory | undefined, host: SummaryHost | undefined): NodeCleanup {
  return {
    node,
    inventory: line ?? null,
    found: recorded?.found ?? null,
    leftByKind: recorded?.left ?? null,
    left: host?.leftoverItems() ?? 0,
    cleanups: host?.cleanupRuns ?? 0,
  };
}

export async function fullRunSummary(
  admin: KubeConfig,
  input: { migration: MigrationObject | undefined; nodes: string[]; host: (n: string) => SummaryHost | undefined; calicoInstall: string },
): Promise<FullRunSummary> {
  const r = stageOf(input.migration);
  const core = admin.makeApiClient(CoreV1Api);
  const cleanup = await Promise.all(
    input.nodes.map(async (node) => {
      const n = await core.readNode({ name: node });
      return nodeCleanup(node, n.metadata?.annotations?.[NodeAnnotation.cleanupInventory], r?.inventories?.[node], input.host(node));
    }),
  );
  return {
    calicoInstall: input.calicoInstall,
    stage: r ? `${r.stage}/${r.step}` : 'none',
    stageSeconds: stageDurations(r?.times ?? [], new Date()),
    backup: r?.backup ?? null,
    crdsRemoved: r?.crdsRemoved ?? [],
    cleanup,
    ciliumRestartedAt: r?.restartedAt ?? null,
  };
}

export function renderFullRun(f: FullRunSummary): string[] {
  const stages = Object.entries(f.stageSeconds).map(([name, s]) => `${name} ${s} s`).join(', ');
  const backup = f.backup ? `${f.backup.objects} Calico objects backed up into ${f.backup.configMaps.join(', ')}` : 'no backup';
  const clean = f.cleanup.filter((c) => c.left === 0).length;
  return [
    `after the rollout (${f.calicoInstall} Calico): ${f.stage}; ${stages}`,
    `${backup}; ${f.crdsRemoved.length} Calico CRDs removed`,
    `nodes cleaned: ${clean} of ${f.cleanup.length} with nothing of Calico left (${f.cleanup.map((c) => `${c.node}: ${c.inventory ?? 'no record'}`).join('; ')})`,
  ];
}
