/**
 * Loads the deploy/ manifests for tests: the kustomize rendering (through kubectl, offline), the raw files, and
 * typed views of the objects the tests inspect (zod schemas of only the fields they read).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { parse, parseAllDocuments } from 'yaml';
import { z } from 'zod';

export const REPO_ROOT = join(import.meta.dirname, '..', '..', '..');
export const DEPLOY_DIR = join(REPO_ROOT, 'deploy');

export const K8sObjectSchema = z.looseObject({
  apiVersion: z.string(),
  kind: z.string(),
  metadata: z.looseObject({
    name: z.string(),
    namespace: z.string().optional(),
    labels: z.record(z.string(), z.string()).optional(),
  }),
});
export type K8sObject = z.infer<typeof K8sObjectSchema>;

/** `kubectl kustomize deploy/`, parsed into objects. */
export async function renderDeploy(): Promise<K8sObject[]> {
  const { stdout } = await execa('kubectl', ['kustomize', DEPLOY_DIR], { timeout: 30_000 });
  return parseAllDocuments(stdout).map((d) => K8sObjectSchema.parse(d.toJS()));
}

export function readDeployFile(relPath: string): string {
  return readFileSync(join(DEPLOY_DIR, relPath), 'utf8');
}

/** One YAML document from deploy/, parsed with the given schema. */
export function loadDeployYaml<S extends z.ZodType>(relPath: string, schema: S): z.output<S> {
  return schema.parse(parse(readDeployFile(relPath)));
}

export function findObject(objects: readonly K8sObject[], kind: string, name: string): K8sObject {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`rendered deploy/ has no ${kind} ${name}`);
  return found;
}

/** The comment written above each item of every `rules:` list in a multi-document YAML file. */
export function ruleComments(yamlText: string): { doc: string; index: number; comment: string }[] {
  const out: { doc: string; index: number; comment: string }[] = [];
  for (const doc of parseAllDocuments(yamlText)) {
    const name = String(doc.getIn(['metadata', 'name']));
    const rules: unknown = doc.get('rules', true);
    if (!rules || typeof rules !== 'object' || !('items' in rules) || !Array.isArray(rules.items)) continue;
    const seqComment = 'commentBefore' in rules ? rules.commentBefore : undefined;
    rules.items.forEach((item: unknown, index: number) => {
      const own = item && typeof item === 'object' && 'commentBefore' in item ? item.commentBefore : undefined;
      const comment = own ?? (index === 0 ? seqComment : undefined);
      out.push({ doc: name, index, comment: typeof comment === 'string' ? comment.trim() : '' });
    });
  }
  return out;
}
