/**
 * Which pods a drain evicts, which it leaves, and which make it refuse (kubectl drain's rules), plus which
 * PodDisruptionBudget protects a pod (to name it when an eviction is blocked).
 */
import type { V1LabelSelector, V1PodDisruptionBudget, V1Pod } from '@kubernetes/client-node';

export const MIRROR_POD_ANNOTATION = 'kubernetes.io/config.mirror';

export interface DrainOptions {
  force: boolean;
  deleteEmptyDirData: boolean;
}

export interface DrainPlan {
  evict: V1Pod[];
  /** One line per pod the drain refuses to evict. Non-empty means the drain fails. */
  refused: string[];
}

export const podRef = (p: V1Pod): string => `${p.metadata?.namespace ?? ''}/${p.metadata?.name ?? ''}`;

const controllerOf = (p: V1Pod) => p.metadata?.ownerReferences?.find((o) => o.controller === true);

function isLeftAlone(p: V1Pod): boolean {
  if (p.metadata?.deletionTimestamp) return true;
  if (p.metadata?.annotations?.[MIRROR_POD_ANNOTATION] !== undefined) return true;
  return controllerOf(p)?.kind === 'DaemonSet';
}

function refusal(p: V1Pod, opts: DrainOptions): string | undefined {
  if (!controllerOf(p) && !opts.force) return `pod ${podRef(p)} has no controller (set drain.force to evict it)`;
  const emptyDir = (p.spec?.volumes ?? []).some((v) => v.emptyDir !== undefined);
  if (emptyDir && !opts.deleteEmptyDirData) {
    return `pod ${podRef(p)} uses emptyDir data (set drain.deleteEmptyDirData to evict it)`;
  }
  return undefined;
}

export function planDrain(pods: readonly V1Pod[], opts: DrainOptions): DrainPlan {
  const evict: V1Pod[] = [];
  const refused: string[] = [];
  for (const p of pods) {
    if (isLeftAlone(p)) continue;
    const why = refusal(p, opts);
    if (why) refused.push(why);
    else evict.push(p);
  }
  return { evict, refused };
}

function requirementHolds(labels: Record<string, string>, r: { key: string; operator: string; values?: string[] }): boolean {
  const v = labels[r.key];
  switch (r.operator) {
    case 'In':
      return v !== undefined && (r.values ?? []).includes(v);
    case 'NotIn':
      return v === undefined || !(r.values ?? []).includes(v);
    case 'Exists':
      return v !== undefined;
    case 'DoesNotExist':
      return v === undefined;
    default:
      return false;
  }
}

/** A structured label selector matches these labels (an empty selector matches everything). */
export function selectorMatches(sel: V1LabelSelector | undefined, labels: Record<string, string>): boolean {
  const byLabel = Object.entries(sel?.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  return byLabel && (sel?.matchExpressions ?? []).every((r) => requirementHolds(labels, r));
}

/** The PDBs in the pod's namespace that select it. */
export function pdbsProtecting(pod: V1Pod, pdbs: readonly V1PodDisruptionBudget[]): string[] {
  const labels = pod.metadata?.labels ?? {};
  return pdbs
    .filter((b) => b.metadata?.namespace === pod.metadata?.namespace && selectorMatches(b.spec?.selector, labels))
    .map((b) => `${b.metadata?.namespace ?? ''}/${b.metadata?.name ?? ''}`);
}
