/**
 * What the drains will meet, before the first one: PodDisruptionBudgets that can never allow an eviction
 * (blockers: a drain would only run into its deadline), bare pods and pods with emptyDir data (warnings: the
 * drain deletes them or refuses, depending on spec.drain).
 */
import type { V1PodDisruptionBudget, V1Pod } from '@kubernetes/client-node';
import { MIRROR_POD_ANNOTATION, podRef, selectorMatches, type DrainOptions } from '../drain-plan.js';
import { blocker, nameList, warning, type Finding } from './findings.js';

export interface DrainInput {
  /** Pods on the nodes to migrate. */
  pods: readonly V1Pod[];
  pdbs: readonly V1PodDisruptionBudget[];
  drain: DrainOptions;
}

const pdbRef = (b: V1PodDisruptionBudget): string => `${b.metadata?.namespace ?? ''}/${b.metadata?.name ?? ''}`;
const controllerOf = (p: V1Pod) => p.metadata?.ownerReferences?.find((o) => o.controller === true);
const drained = (p: V1Pod): boolean =>
  !p.metadata?.deletionTimestamp && p.metadata?.annotations?.[MIRROR_POD_ANNOTATION] === undefined && controllerOf(p)?.kind !== 'DaemonSet';

function selected(b: V1PodDisruptionBudget, pods: readonly V1Pod[]): V1Pod[] {
  return pods.filter((p) => p.metadata?.namespace === b.metadata?.namespace && selectorMatches(b.spec?.selector, p.metadata?.labels ?? {}));
}

/** Why the budget can never allow one eviction, or undefined when it can. */
export function neverAllows(b: V1PodDisruptionBudget, matching: number): string | undefined {
  const { maxUnavailable: max, minAvailable: min } = b.spec ?? {};
  if (max === 0 || max === '0%') return `maxUnavailable ${String(max)}`;
  if (min === '100%') return 'minAvailable 100%';
  return typeof min === 'number' ? minAvailableProblem(min, b.status?.expectedPods ?? matching) : undefined;
}

function minAvailableProblem(min: number, expected: number): string | undefined {
  return expected > 0 && min >= expected ? `minAvailable ${min} with ${expected} pod${expected === 1 ? '' : 's'}` : undefined;
}

function pdbChecks(i: DrainInput, allPods: readonly V1Pod[]): Finding[] {
  return i.pdbs.flatMap((b) => {
    const onNodes = selected(b, i.pods).filter(drained);
    const why = onNodes.length > 0 ? neverAllows(b, selected(b, allPods).length) : undefined;
    if (!why) return [];
    const ns = b.metadata?.namespace ?? '';
    return [blocker('pdb-never-evicts', `PodDisruptionBudget ${pdbRef(b)} can never allow an eviction (${why}); the drain of ${nameList(onNodes.map(podRef), 3)} would only run into its deadline`, `allow one disruption for the migration: kubectl -n ${ns} patch pdb ${b.metadata?.name ?? ''} --type=merge -p '{"spec":{"minAvailable":null,"maxUnavailable":1}}'`)];
  });
}

function podChecks(i: DrainInput): Finding[] {
  const pods = i.pods.filter(drained);
  const bare = pods.filter((p) => !controllerOf(p)).map(podRef);
  const emptyDir = pods.filter((p) => (p.spec?.volumes ?? []).some((v) => v.emptyDir !== undefined)).map(podRef);
  const out: Finding[] = [];
  if (bare.length > 0) {
    out.push(i.drain.force
      ? warning('bare-pods', `${bare.length} pod(s) have no controller and the drain will delete them for good: ${nameList(bare)}`, 'recreate them after their node is migrated, or run them under a Deployment')
      : warning('bare-pods', `${bare.length} pod(s) have no controller, so the drain of their node will refuse and halt: ${nameList(bare)}`, 'set spec.drain.force: true to delete them, or move them under a controller'));
  }
  if (emptyDir.length > 0) {
    out.push(i.drain.deleteEmptyDirData
      ? warning('local-storage', `${emptyDir.length} pod(s) use emptyDir data that the drain will delete: ${nameList(emptyDir)}`, 'make sure that data can be lost (caches, scratch space)')
      : warning('local-storage', `${emptyDir.length} pod(s) use emptyDir data, so the drain of their node will refuse and halt: ${nameList(emptyDir)}`, 'set spec.drain.deleteEmptyDirData: true once that data can be lost'));
  }
  return out;
}

/** Findings about the drains; `allPods` (every pod of the cluster) counts what each PDB protects. */
export function drainChecks(i: DrainInput, allPods: readonly V1Pod[] = i.pods): Finding[] {
  return [...pdbChecks(i, allPods), ...podChecks(i)];
}
