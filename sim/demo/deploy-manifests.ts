/**
 * The project's own deploy/ manifests, read the way `kubectl apply -k deploy/` would see them (the files
 * the kustomization lists), so the simulated cluster runs the tool with exactly the RBAC it ships.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { z } from 'zod';
import { ConfigError } from '../../shared/errors.js';

export type Manifest = Record<string, unknown> & { kind: string; apiVersion: string };

const KustomizationSchema = z.object({ resources: z.array(z.string()) });
const ManifestSchema = z.looseObject({ kind: z.string(), apiVersion: z.string() });

/** The kinds that make up "who may do what": namespace, ServiceAccounts, RBAC, and the Migration CRD. */
export const ACCESS_KINDS = [
  'Namespace',
  'ServiceAccount',
  'ClusterRole',
  'ClusterRoleBinding',
  'Role',
  'RoleBinding',
  'CustomResourceDefinition',
] as const;

export async function readDeployManifests(deployDir: string, kinds: readonly string[] = ACCESS_KINDS): Promise<Manifest[]> {
  const kustomization = KustomizationSchema.safeParse(
    parseAllDocuments(await readFile(path.join(deployDir, 'kustomization.yaml'), 'utf8'))[0]?.toJSON(),
  );
  if (!kustomization.success) throw new ConfigError(`${deployDir}/kustomization.yaml has no resources list`);
  const out: Manifest[] = [];
  for (const file of kustomization.data.resources) {
    const docs = parseAllDocuments(await readFile(path.join(deployDir, file), 'utf8'));
    for (const doc of docs) {
      const parsed = ManifestSchema.safeParse(doc.toJSON());
      if (parsed.success && kinds.includes(parsed.data.kind)) out.push(parsed.data);
    }
  }
  return out;
}
