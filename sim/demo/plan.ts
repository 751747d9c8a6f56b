/**
 * What the demo will create, found before it creates anything: the simulated cluster's seed is run against a
 * throwaway in-process API server and everything it made there is listed (so the list is exactly what the
 * seed creates, whatever shape it has); of those, the objects absent from the target cluster are the plan.
 */
import { ApisApi, CoreV1Api, CustomObjectsApi, KubernetesObjectApi, type KubeConfig, type V1APIResource } from '@kubernetes/client-node';
import { startApiServer } from '../apiserver/index.js';
import { seedCluster, type SeedOptions } from '../cluster/seed/index.js';

export interface ObjectRef {
  kind: string;
  apiVersion: string;
  namespace?: string;
  name: string;
}

export const refKey = (r: ObjectRef): string => `${r.apiVersion} ${r.kind} ${r.namespace ?? ''}/${r.name}`;

const listable = (r: V1APIResource): boolean => !r.name.includes('/') && r.verbs.includes('list');

/** The group versions the server serves (core first) and their listable kinds. */
export async function servedKinds(kc: KubeConfig): Promise<{ apiVersion: string; kind: string }[]> {
  const out = (await kc.makeApiClient(CoreV1Api).getAPIResources()).resources.filter(listable).map((r) => ({ apiVersion: 'v1', kind: r.kind }));
  const custom = kc.makeApiClient(CustomObjectsApi);
  for (const g of (await kc.makeApiClient(ApisApi).getAPIVersions()).groups) {
    const gv = g.preferredVersion ?? g.versions[0];
    if (gv === undefined) continue;
    const resources = await custom.getAPIResources({ group: g.name, version: gv.version });
    out.push(...resources.resources.filter(listable).map((r) => ({ apiVersion: gv.groupVersion, kind: r.kind })));
  }
  return out;
}

/** Every object of every kind the server serves. */
export async function everything(kc: KubeConfig): Promise<ObjectRef[]> {
  const objects = KubernetesObjectApi.makeApiClient(kc);
  const out: ObjectRef[] = [];
  for (const { apiVersion, kind } of await servedKinds(kc)) {
    for (const o of (await objects.list(apiVersion, kind)).items) {
      const ns = o.metadata?.namespace;
      out.push({ apiVersion, kind, name: o.metadata?.name ?? '', ...(ns ? { namespace: ns } : {}) });
    }
  }
  return out;
}

/** The objects `seedCluster(opts)` creates on an empty cluster, in no particular order. */
export async function seedObjects(opts: SeedOptions = {}): Promise<ObjectRef[]> {
  const scratch = await startApiServer({ host: '127.0.0.1' });
  try {
    const kc = scratch.kubeConfig();
    const before = new Set((await everything(kc)).map(refKey));
    await seedCluster(kc, opts);
    return (await everything(kc)).filter((r) => !before.has(refKey(r)));
  } finally {
    await scratch.close();
  }
}
