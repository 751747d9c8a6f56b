/**
 * What each demo scenario breaks, and what outcome counts as success: every node migrated, or the
 * rollout halted (for the failure scenarios), naming the cause.
 */
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { z } from 'zod';
import { ConfigError } from '../../shared/errors.js';
import type { NodeFaultsInput } from '../cluster/faults.js';
import type { DemoOptions, Scenario } from './options.js';
import type { SeedBreak, SeedSettingsInput } from '../cluster/seed/settings.js';
import type { DemoSummary } from './summary.js';
import { sortNatural } from '../../shared/natural-order.js';
import type { Pairing } from '../../shared/probe.js';

export interface ScenarioPlan {
  /** Faults set on the victim node before the rollout starts. */
  victimFaults?: NodeFaultsInput;
  /** Pods (namespace + labels) whose evictions a PDB forbids. */
  blockEvictionsOf?: { namespace: string; matchLabels: Record<string, string> };
  /** Restart the coordinator the first time each phase is seen. */
  restartCoordinatorEachPhase: boolean;
  /** true: success is a halt; false: success is every node Done. */
  expectHalt: boolean;
  /** Text the halt reason must contain to count as the expected halt. */
  haltMentions?: string;
  /** Problems the seeded cluster carries (pre-flight scenarios). */
  breaks?: SeedBreak[];
  /** Cilium's host legacy routing is turned off once the first node is migrated (after pre-flight passed). */
  legacyRoutingOffAfterFirstNode?: boolean;
  /** The probe must have lost probes in this pairing (the halt's cause may be the probe or the validation, whichever sees it first). */
  expectProbeLoss?: Pairing;
}

export function planScenario(scenario: Scenario): ScenarioPlan {
  switch (scenario) {
    case 'happy':
      return { restartCoordinatorEachPhase: false, expectHalt: false };
    case 'coordinator-restarts':
      return { restartCoordinatorEachPhase: true, expectHalt: false };
    case 'pdb-blocked':
      return {
        blockEvictionsOf: { namespace: 'demo', matchLabels: { app: 'web' } },
        restartCoordinatorEachPhase: false,
        expectHalt: true,
        haltMentions: 'sim-never-allows',
      };
    case 'node-never-returns':
      return { victimFaults: { neverReturns: true }, restartCoordinatorEachPhase: false, expectHalt: true };
    case 'dns-broken-on-node':
      return { victimFaults: { dnsBroken: true }, restartCoordinatorEachPhase: false, expectHalt: true, haltMentions: 'dns' };
    case 'cilium-never-ready':
      return { victimFaults: { ciliumNeverReady: true }, restartCoordinatorEachPhase: false, expectHalt: true };
    case 'no-legacy-routing':
      return { legacyRoutingOffAfterFirstNode: true, restartCoordinatorEachPhase: false, expectHalt: true, expectProbeLoss: 'calico-cilium' };
    case 'bgp-peers':
      return { breaks: [scenario], restartCoordinatorEachPhase: false, expectHalt: false };
    default:
      return { breaks: [scenario], restartCoordinatorEachPhase: false, expectHalt: true, haltMentions: 'pre-flight' };
  }
}

/** The node a failure scenario breaks: the first worker (not the control plane). */
export function pickVictim(nodeNames: readonly string[]): string | undefined {
  const workers = nodeNames.filter((n) => n.includes('worker'));
  return sortNatural(workers)[0] ?? nodeNames[0];
}

/** Every node migrated (the happy scenarios, and a failure scenario retried), or halted naming the cause. */
export function judge(summary: DemoSummary, plan: ScenarioPlan): boolean {
  const allMigrated = summary.halted === null && summary.migrated === summary.nodes;
  if (!plan.expectHalt || summary.then !== null) return allMigrated;
  const mentions = plan.haltMentions === undefined || (summary.halted?.reason ?? '').toLowerCase().includes(plan.haltMentions);
  return summary.halted !== null && mentions && probeLostAsExpected(summary, plan);
}

const probeLostAsExpected = (summary: DemoSummary, plan: ScenarioPlan): boolean =>
  plan.expectProbeLoss === undefined || (summary.probe?.pairings[plan.expectProbeLoss]?.lost ?? 0) > 0;

/** Cilium's Helm values from `--cilium-values`: a YAML mapping; anything else is one clear line (exit 2). */
export async function readCiliumValues(file: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new ConfigError(`--cilium-values: cannot read ${file}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const values = ValuesSchema.safeParse(parseYamlSafely(text));
  if (!values.success) throw new ConfigError(`--cilium-values: ${file} is not a YAML mapping of Helm values`);
  return values.data;
}

const ValuesSchema = z.record(z.string(), z.unknown());
const parseYamlSafely = (text: string): unknown => {
  try {
    return parse(text) as unknown;
  } catch {
    return undefined;
  }
};

/** How the simulated cluster is seeded: the scenario's deliberate problems, the Calico and Cilium flags. */
export function seedShape(opts: DemoOptions, ciliumValues?: Record<string, unknown>): SeedSettingsInput {
  return {
    ...(ciliumValues ? { ciliumValues } : {}),
    breaks: planScenario(opts.scenario).breaks ?? [],
    ...(opts.calicoPool ? { calicoPool: opts.calicoPool } : {}),
    ...(opts.calicoInstall ? { calicoInstall: opts.calicoInstall } : {}),
    ...(opts.ciliumInstall ? { ciliumHelm: opts.ciliumInstall === 'helm' } : {}),
  };
}
