/**
 * The "PDB never allows" fault: make a PodDisruptionBudget demand every pod it covers (minAvailable 100%).
 * An existing PDB over exactly these labels is tightened in place (a second PDB over the same pods would
 * make evictions fail differently: the API refuses pods with two PDBs); otherwise a new one is created.
 * Undoing restores the original budget or deletes the created PDB.
 */
import type { V1PodDisruptionBudget } from '@kubernetes/client-node';
import { createIfAbsent, deleteIfPresent, mergePatch, type KubeClients } from './kube.js';
import { disruptionBudget } from './seed/workloads.js';

export interface EvictionBlock {
  namespace: string;
  pdbName: string;
  /** The budget to restore, or undefined when the PDB was created by the fault. */
  original: { minAvailable: number | string | null; maxUnavailable: number | string | null } | undefined;
}

const sameLabels = (a: Record<string, string> | undefined, b: Record<string, string>): boolean =>
  JSON.stringify(Object.entries(a ?? {}).sort()) === JSON.stringify(Object.entries(b).sort());

export async function blockEvictions(clients: KubeClients, namespace: string, matchLabels: Record<string, string>): Promise<EvictionBlock> {
  const existing = (await clients.policy.listNamespacedPodDisruptionBudget({ namespace })).items.find((p) =>
    sameLabels(p.spec?.selector?.matchLabels, matchLabels),
  );
  if (!existing) {
    const pdbName = `sim-never-allows-${Object.values(matchLabels).join('-')}`;
    const pdb: V1PodDisruptionBudget = disruptionBudget(namespace, pdbName, matchLabels, { minAvailable: '100%' });
    await createIfAbsent(() => clients.policy.createNamespacedPodDisruptionBudget({ namespace, body: pdb }));
    return { namespace, pdbName, original: undefined };
  }
  const pdbName = existing.metadata?.name ?? '';
  const original = { minAvailable: existing.spec?.minAvailable ?? null, maxUnavailable: existing.spec?.maxUnavailable ?? null };
  const body = { spec: { minAvailable: '100%', maxUnavailable: null } };
  await clients.policy.patchNamespacedPodDisruptionBudget({ name: pdbName, namespace, body }, mergePatch());
  return { namespace, pdbName, original };
}

export async function unblockEvictions(clients: KubeClients, block: EvictionBlock): Promise<void> {
  const { namespace, pdbName: name, original } = block;
  if (!original) return deleteIfPresent(() => clients.policy.deleteNamespacedPodDisruptionBudget({ name, namespace }));
  await clients.policy.patchNamespacedPodDisruptionBudget({ name, namespace, body: { spec: original } }, mergePatch());
}
