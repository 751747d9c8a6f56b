/**
 * The zero-downtime probe in the demo: the simulated probe pods (started once the pods are watched), the
 * thresholds the demo's Migration sets, the `no-legacy-routing` fault (Cilium's host legacy routing turned
 * off once the first node is migrated, as a stray `helm upgrade` with the chart's defaults would), and the
 * probe's figures for the summary, read from the Migration's status (the coordinator's own figures).
 */
import { CoreV1Api, PatchStrategy, setHeaderOptions, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import type { Logger } from '../../shared/logger.js';
import { CILIUM_NAMESPACE } from '../../shared/names.js';
import { PAIRINGS, type Pairing } from '../../shared/probe.js';
import { ProbeStatusSchema, type ProbeLimits } from '../../coordinator/core/probe/limits.js';
import type { PairingFigures, ProbeFigures } from '../../coordinator/core/probe/figures.js';
import type { SimCluster } from '../index.js';
import type { MigrationObject } from './migration-watch.js';
import { ProbeFleet } from './probe-fleet.js';
import { startProbeThread, type StoppableFleet } from './probe-thread.js';
import type { WatchedList } from './watch-cache.js';

/** The demo halts a hand-off that loses more than 1% of a pairing's probes (judged from 20 probes on). */
export const DEMO_PROBE_LIMITS: Partial<ProbeLimits> = { maxLossPercent: 1, minSamples: 20 };
/**
 * How often the simulated probe pods report: every 400 ms in a small cluster (a hand-off there takes about a
 * second), every second (as the real probe does) from 200 nodes on, so the coordinator gets at most about
 * 500 reports a second below that size.
 */
export const demoReportEveryMs = (nodes: number): number => Math.min(1000, Math.max(400, nodes * 5));

export interface ProbeFleetSetup {
  admin: KubeConfig;
  sim: Pick<SimCluster, 'podLocations' | 'nodeNames'>;
  pods: { list(): readonly V1Pod[] };
  /** The leading coordinator replica (its port on loopback), if any. */
  leader: () => { port: number } | undefined;
  /** The demo's `--seed`: each probe pod's start within the report period. */
  seed: number;
  log: Logger;
  /** The probe pods in their own thread (needs the built files: the command line); else on the demo's event loop (the tests). */
  ownThread?: boolean;
}

export async function startProbeFleet(d: ProbeFleetSetup): Promise<StoppableFleet> {
  const coordinatorUrl = (): string | undefined => {
    const leader = d.leader();
    return leader ? `http://127.0.0.1:${leader.port}` : undefined;
  };
  const reportEveryMs = demoReportEveryMs(d.sim.nodeNames().length);
  if (d.ownThread === true) return startProbeThread({ admin: d.admin, podLocations: () => d.sim.podLocations(), coordinatorUrl, reportEveryMs, seed: d.seed });
  const fleet = new ProbeFleet({ admin: d.admin, podLocations: () => d.sim.podLocations(), pods: () => d.pods.list(), coordinatorUrl, reportEveryMs, seed: d.seed, log: d.log });
  fleet.start();
  return fleet;
}

/** Turns Cilium's host legacy routing off once (Calico and Cilium pods then no longer reach each other). */
export class LegacyRoutingFault {
  private done = false;
  constructor(
    private readonly admin: () => KubeConfig,
    private readonly armed: () => boolean,
  ) {}

  /** After the first node is Done. */
  onPhase(phase: string): void {
    if (this.done || phase !== 'Done' || !this.armed()) return;
    this.done = true;
    const core = this.admin().makeApiClient(CoreV1Api);
    void core
      .patchNamespacedConfigMap(
        { name: 'cilium-config', namespace: CILIUM_NAMESPACE, body: { data: { 'enable-host-legacy-routing': 'false' } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      )
      .catch(() => (this.done = false));
  }
}

export interface ProbeSummary {
  /** Figures per pairing over the whole run (probes from or to a node in flight left out). */
  pairings: ProbeFigures;
  /** No counted probe lost and no held connection broken; null when nothing was probed. */
  zeroDowntime: boolean | null;
  /** Probes left out: an end in flight (drained, rebooting on purpose) or a replaced probe pod. */
  excluded: number;
}

export function probeSummary(m: MigrationObject | undefined): ProbeSummary | null {
  const parsed = ProbeStatusSchema.safeParse((m?.status as { probe?: unknown } | undefined)?.probe);
  if (!parsed.success) return null;
  return { pairings: parsed.data.figures, zeroDowntime: parsed.data.zeroDowntime, excluded: parsed.data.excluded };
}

const ms = (v: number | null): string => (v === null ? '-' : `${v} ms`);
const pairingLine = (p: string, f: PairingFigures): string =>
  `  ${p.padEnd(14)} ${String(f.samples).padStart(6)} probes, lost ${f.lost} (${f.lossPercent}%), longest gap ${f.longestGapMs} ms, p50 ${ms(f.p50Ms)}, p99 ${ms(f.p99Ms)}, broken connections ${f.broken}`;

/**
 * After a halt in a scenario that expects probe loss: waits until the coordinator's figures show it. The
 * node's own validation may halt the hand-off before the probe pods have probed across the broken pairing;
 * the pods go on probing after the halt, so the loss shows soon after. The deadline only bounds a run in
 * which it never shows (the summary then says so and the scenario fails).
 */
export async function awaitProbeLoss(migrations: WatchedList<MigrationObject>, name: string, pairing: Pairing, deadlineMs: number): Promise<void> {
  const lost = (items: readonly MigrationObject[]): boolean =>
    (probeSummary(items.find((m) => m.metadata.name === name))?.pairings[pairing]?.lost ?? 0) > 0;
  await migrations.until(lost, `probe loss between ${pairing} pods`, deadlineMs).catch(() => undefined);
}

export function renderProbeSummary(p: ProbeSummary | null): string[] {
  if (!p) return ['zero-downtime probe: not measured (no probe report reached the coordinator)'];
  const verdict = p.zeroDowntime === null ? 'not measured' : p.zeroDowntime ? 'yes: no probe lost, no connection broken' : 'NO: probes were lost or connections broke';
  const rows = PAIRINGS.flatMap((pairing) => {
    const f = p.pairings[pairing];
    return f ? [pairingLine(pairing, f)] : [];
  });
  return [`zero-downtime: ${verdict} (${p.excluded} probes to or from a node in flight left out)`, ...rows];
}
