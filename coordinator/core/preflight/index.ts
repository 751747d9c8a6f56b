/**
 * Pre-flight: a pure function of what was read from the cluster. It says whether the rollout may start
 * (no blockers), what it should warn about, and the pod CIDRs every validation expects.
 */
import type { V1Pod, V1PodDisruptionBudget } from '@kubernetes/client-node';
import type { DrainOptions } from '../drain-plan.js';
import type { ClusterFacts } from '../facts/model.js';
import { overlapChecks, validationCidrs, type CidrOverrides, type ValidationCidrs } from './cidr-checks.js';
import { cniChecks } from './cni-checks.js';
import { drainChecks } from './drain-checks.js';
import type { Finding } from './findings.js';

export interface PreflightInput {
  facts: ClusterFacts;
  overrides?: CidrOverrides;
  /** Pods on the nodes in scope, and every pod (for PDB counts). Omitted: no drain checks. */
  workloads?: { podsInScope: readonly V1Pod[]; allPods: readonly V1Pod[]; pdbs: readonly V1PodDisruptionBudget[]; drain: DrainOptions };
}

export interface PreflightReport {
  blockers: Finding[];
  warnings: Finding[];
  /** undefined when a blocker keeps them from being known. */
  cidrs: ValidationCidrs | undefined;
}

export function runPreflight(i: PreflightInput): PreflightReport {
  const cidrs = validationCidrs(i.facts, i.overrides);
  const w = i.workloads;
  const findings = [
    ...cniChecks(i.facts),
    ...overlapChecks(i.facts),
    ...cidrs.findings,
    ...(w ? drainChecks({ pods: w.podsInScope, pdbs: w.pdbs, drain: w.drain }, w.allPods) : []),
  ];
  return {
    blockers: findings.filter((f) => f.severity === 'blocker'),
    warnings: findings.filter((f) => f.severity === 'warning'),
    cidrs: cidrs.cidrs,
  };
}

export type { Finding, Severity } from './findings.js';
export type { ValidationCidrs, CidrOverrides } from './cidr-checks.js';
