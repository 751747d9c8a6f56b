/**
 * The "PDB never allows" fault: a PodDisruptionBudget `sim-never-allows-…` that demands every pod it covers
 * (minAvailable 100%). A PDB already covering exactly these labels is set aside while the fault holds (two
 * PDBs over one pod would make the API refuse evictions for another reason), and put back on undo.
 */
import type { V1PodDisruptionBudget } from '@kubernetes/client-node';
import { createIfAbsent, deleteIfPresent, type KubeClients } from './kube.js';
import { disruptionBudget } from './seed/workloads.js';

export interface EvictionBlock {
  namespace: string;
  /** The blocking PDB the fault created. */
  pdbName: string;
  /** The PDB it set aside, restored on undo. */
  setAside: V1PodDisruptionBudget | undefined;
}

const sameLabels = (a: Record<string, string> | undefined, b: Record<string, string>): boolean =>
  JSON.stringify(Object.entries(a ?? {}).sort()) === JSON.stringify(Object.entries(b).sort());

/** The PDB as it can be created again: name, labels and spec only. */
const recreatable = (pdb: V1PodDisruptionBudget): V1PodDisruptionBudget => ({
  apiVersion: 'policy/v1',
  kind: 'PodDisruptionBudget',
  metadata: { name: pdb.metadata?.name ?? '', namespace: pdb.metadata?.namespace ?? '', labels: pdb.metadata?.labels ?? {} },
  spec: pdb.spec ?? {},
});

export async function blockEvictions(clients: KubeClients, namespace: string, matchLabels: Record<string, string>): Promise<EvictionBlock> {
  const { policy } = clients;
  const existing = (await policy.listNamespacedPodDisruptionBudget({ namespace })).items.find((p) => sameLabels(p.spec?.selector?.matchLabels, matchLabels));
  const pdbName = `sim-never-allows-${Object.values(matchLabels).join('-')}`;
  if (existing?.metadata?.name === pdbName) return { namespace, pdbName, setAside: undefined };
  if (existing) await deleteIfPresent(() => policy.deleteNamespacedPodDisruptionBudget({ name: existing.metadata?.name ?? '', namespace }));
  const body = disruptionBudget(namespace, pdbName, matchLabels, { minAvailable: '100%' });
  await createIfAbsent(() => policy.createNamespacedPodDisruptionBudget({ namespace, body }));
  return { namespace, pdbName, setAside: existing && recreatable(existing) };
}

export async function unblockEvictions(clients: KubeClients, block: EvictionBlock): Promise<void> {
  const { namespace, pdbName, setAside } = block;
  await deleteIfPresent(() => clients.policy.deleteNamespacedPodDisruptionBudget({ name: pdbName, namespace }));
  if (setAside) await createIfAbsent(() => clients.policy.createNamespacedPodDisruptionBudget({ namespace, body: setAside }));
}
