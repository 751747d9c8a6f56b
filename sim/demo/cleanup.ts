/**
 * Finding and removing what a `--kubeconfig` demo run created: every object carrying its run label (of
 * every kind the cluster serves), the pods left on its deleted nodes (as the pod garbage collector would
 * remove them) and the Events about its nodes. Objects without the label are never touched.
 */
import { CoreV1Api, KubernetesObjectApi, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { CniMigrateError, describeError } from '../../shared/errors.js';
import { servedKinds } from './plan.js';

/**
 * Removal order: the Migration first (its coordinator is gone), then what runs pods, then nodes, the rest,
 * namespaces, and CRDs last (deleting a CRD deletes its objects). Kinds not named go in the middle.
 */
const REMOVAL_ORDER = ['Migration', 'DaemonSet', 'Deployment', 'PodDisruptionBudget', 'Node', '*', 'Namespace', 'CustomResourceDefinition'];
const rank = (kind: string | undefined): number => {
  const i = REMOVAL_ORDER.indexOf(kind ?? '');
  return i >= 0 ? i : REMOVAL_ORDER.indexOf('*');
};

const statusOf = (e: unknown): number | undefined =>
  typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'number' ? e.code : undefined;
/** The kind is not served (its CRD is absent, or the version is not served): nothing of it exists. */
const notServed = (e: unknown): boolean => statusOf(e) === 404 || (e instanceof Error && e.message.startsWith('Unrecognized API version and kind'));

/** `Kind namespace/name` for messages. */
export const describeObject = (o: KubernetesObject): string =>
  `${o.kind ?? '?'} ${o.metadata?.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata?.name ?? '?'}`;

type Kind = { apiVersion: string; kind: string };

/** Every object matching `selector`, of every kind the cluster serves (or of `kinds`), in removal order. */
export async function listDemoObjects(kc: KubeConfig, selector: string, kinds?: readonly Kind[]): Promise<KubernetesObject[]> {
  const objects = KubernetesObjectApi.makeApiClient(kc);
  const out: KubernetesObject[] = [];
  for (const k of kinds ?? (await servedKinds(kc))) {
    try {
      const list = await objects.list(k.apiVersion, k.kind, undefined, undefined, undefined, undefined, undefined, selector);
      for (const item of list.items) out.push({ ...item, apiVersion: k.apiVersion, kind: k.kind });
    } catch (e) {
      if (!notServed(e)) throw new CniMigrateError('KubeApi', `listing the demo's ${k.kind} objects failed: ${describeError(e)}`, { cause: e });
    }
  }
  return out.sort((x, y) => rank(x.kind) - rank(y.kind));
}

async function deleteQuietly(call: () => Promise<unknown>): Promise<void> {
  try {
    await call();
  } catch (e) {
    if (!notServed(e)) throw new CniMigrateError('KubeApi', `removing a demo object failed: ${describeError(e)}`, { cause: e });
  }
}

/** Pods still bound to these (deleted) nodes, and Events about the nodes or the given Migrations. */
async function strays(core: CoreV1Api, nodes: readonly string[], migrations: readonly string[]): Promise<KubernetesObject[]> {
  const out: KubernetesObject[] = [];
  for (const node of nodes) {
    const pods = await core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${node}` });
    out.push(...pods.items.map((p) => ({ ...p, apiVersion: 'v1', kind: 'Pod' })));
  }
  const names = new Set([...nodes, ...migrations]);
  const events = await core.listEventForAllNamespaces();
  const about = events.items.filter((e) => (e.involvedObject.kind === 'Node' || e.involvedObject.kind === 'Migration') && names.has(e.involvedObject.name ?? ''));
  out.push(...about.map((e) => ({ ...e, apiVersion: 'v1', kind: 'Event' })));
  return out;
}

export interface RemoveOptions {
  /** How long deletions (a namespace's finalization, the pods' garbage collection) may take. */
  deadlineMs: number;
}

const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Delete every object matching `selector`, the pods on its nodes and the Events about them, then wait until
 * none is left (a namespace or a pod may take a while to go). Returns what was removed.
 */
export async function removeDemoObjects(kc: KubeConfig, selector: string, opts: RemoveOptions): Promise<KubernetesObject[]> {
  const objects = KubernetesObjectApi.makeApiClient(kc);
  const core = kc.makeApiClient(CoreV1Api);
  const owned = await listDemoObjects(kc, selector);
  const nodes = owned.filter((o) => o.kind === 'Node').map((o) => o.metadata?.name ?? '');
  const migrations = owned.filter((o) => o.kind === 'Migration').map((o) => o.metadata?.name ?? '');
  for (const o of owned) {
    await deleteQuietly(() => objects.delete(o, undefined, undefined, undefined, undefined, undefined, { propagationPolicy: 'Background' }));
  }
  const removed = [...owned];
  const ownedKinds = [...new Map(owned.map((o) => [`${o.apiVersion} ${o.kind}`, { apiVersion: o.apiVersion ?? '', kind: o.kind ?? '' }])).values()];
  const deadline = Date.now() + opts.deadlineMs;
  for (let wait = 25; ; wait = Math.min(wait * 2, 1000)) {
    // What the pod garbage collector does for pods on a deleted node: delete them at once (grace 0).
    const stray = await strays(core, nodes, migrations);
    for (const o of stray) {
      await deleteQuietly(() => objects.delete(o, undefined, undefined, undefined, undefined, undefined, { gracePeriodSeconds: 0 }));
      if (!removed.some((r) => r.metadata?.uid === o.metadata?.uid)) removed.push(o);
    }
    const left = [...(await listDemoObjects(kc, selector, ownedKinds)), ...(stray.length > 0 ? await strays(core, nodes, migrations) : [])];
    if (left.length === 0) return removed;
    if (Date.now() > deadline) {
      throw new CniMigrateError('DeadlineExceeded', `the demo's objects were not all gone after ${opts.deadlineMs} ms: ${left.map(describeObject).join(', ')}`);
    }
    await pause(wait);
  }
}

/** "3 Nodes, 1 Migration, …" */
export function countByKind(objects: readonly KubernetesObject[]): string {
  const counts = new Map<string, number>();
  for (const o of objects) counts.set(o.kind ?? '?', (counts.get(o.kind ?? '?') ?? 0) + 1);
  return [...counts].map(([kind, n]) => `${n} ${kind}${n === 1 ? '' : 's'}`).join(', ');
}
