/**
 * Each watched Node and Cilium pod cut down, on receipt, to what the coordinator reads of it
 * (core/observed-objects.ts); the watches' caches then hold only these. A field a reader starts to use is
 * added here and to the type together (the type is what the readers compile against).
 */
import { ListWatch, Watch, type KubeConfig, type KubernetesListObject, type KubernetesObject } from '@kubernetes/client-node';
import type { V1Node, V1ObjectMeta, V1Pod } from '@kubernetes/client-node';
import { ANNOTATION_PREFIX } from '../../shared/names.js';
import { MIRROR_POD_ANNOTATION } from '../core/drain-plan.js';
import type { ObservedNode, ObservedPod } from '../core/observed-objects.js';

type Condition = { type: string; status: string };
const conditionsOf = (cs: readonly Condition[] | undefined): Condition[] | undefined => cs?.map((c) => ({ type: c.type, status: c.status }));

/** Only the annotations cni-migrate writes (the node's recorded state); other tools' annotations are never read. */
function ownAnnotations(a: Record<string, string> | undefined): Record<string, string> | undefined {
  if (a === undefined) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(a)) if (k.startsWith(ANNOTATION_PREFIX)) out[k] = v;
  return out;
}

export function projectNode(n: V1Node): ObservedNode {
  const m = n.metadata;
  const bootID = n.status?.nodeInfo?.bootID;
  return {
    metadata: m && { name: m.name, uid: m.uid, resourceVersion: m.resourceVersion, labels: m.labels, annotations: ownAnnotations(m.annotations), deletionTimestamp: m.deletionTimestamp },
    spec: n.spec && { unschedulable: n.spec.unschedulable, taints: n.spec.taints },
    status: n.status && { conditions: conditionsOf(n.status.conditions), nodeInfo: bootID === undefined ? undefined : { bootID } },
  };
}

export function projectPod(p: V1Pod): ObservedPod {
  const m = p.metadata;
  return {
    metadata: m && { name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion, deletionTimestamp: m.deletionTimestamp },
    spec: p.spec && { nodeName: p.spec.nodeName },
    status: p.status && { conditions: conditionsOf(p.status.conditions) },
  };
}

/**
 * A running pod as pre-flight's drain checks and the revalidation's peer choice read it (core/preflight/
 * drain-checks.ts, core/peers.ts): listed cluster-wide, a large cluster's pods kept whole were the
 * coordinator's largest transient heap. Still a V1Pod for those readers, with no containers.
 */
export function projectRunningPod(p: V1Pod): V1Pod {
  return {
    metadata: p.metadata && runningPodMetadata(p.metadata),
    spec: p.spec && {
      nodeName: p.spec.nodeName,
      hostNetwork: p.spec.hostNetwork,
      containers: [],
      volumes: p.spec.volumes?.filter((v) => v.emptyDir !== undefined).map((v) => ({ name: v.name, emptyDir: {} })),
    },
    status: p.status && { phase: p.status.phase, podIP: p.status.podIP },
  };
}

/** Its names and labels, whether it is going, the mirror annotation and its controller (the other owners and annotations are not read). */
function runningPodMetadata(m: V1ObjectMeta): V1ObjectMeta {
  const mirror = m.annotations?.[MIRROR_POD_ANNOTATION];
  const owner = m.ownerReferences?.find((o) => o.controller === true);
  return {
    name: m.name,
    namespace: m.namespace,
    labels: m.labels,
    deletionTimestamp: m.deletionTimestamp,
    annotations: mirror === undefined ? undefined : { [MIRROR_POD_ANNOTATION]: mirror },
    ownerReferences: owner && [{ apiVersion: owner.apiVersion, kind: owner.kind, name: owner.name, uid: owner.uid, controller: true }],
  };
}

/** A Watch that hands each event's object on projected (the ListWatch caches what it is handed). */
class ProjectingWatch<T, P> extends Watch {
  constructor(
    kc: KubeConfig,
    private readonly project: (o: T) => P,
  ) {
    super(kc);
  }

  override watch(path: string, query: Record<string, string | number | boolean | undefined>, callback: (phase: string, apiObj: unknown, watchObj?: unknown) => void, done: (err: unknown) => void): Promise<AbortController> {
    return super.watch(path, query, (phase, obj: T, raw) => callback(phase, phase === 'ERROR' || phase === 'BOOKMARK' ? obj : this.project(obj), raw), done);
  }
}

/** One page of a list: at most `limit` items, from where `_continue` says the last page ended. */
export interface ListPage {
  limit: number;
  _continue?: string;
}

export interface ProjectedInformerSource<T> {
  kc: KubeConfig;
  /** The watch's path (a collection). */
  path: string;
  list: (page: ListPage) => Promise<KubernetesListObject<T & KubernetesObject>>;
  labelSelector?: string;
}

/**
 * Items listed per request. A cluster's whole list in one answer is one large body parsed at once (5,000 Nodes and
 * 5,000 Cilium pods: tens of MiB, the coordinator's peak); page by page, each page is projected before the next.
 */
export const LIST_PAGE_SIZE = 500;

/** Every page of the list, each projected on arrival; the resourceVersion is the list's (every page carries it). */
export async function listProjected<T, P>(
  list: (page: ListPage) => Promise<KubernetesListObject<T & KubernetesObject>>,
  project: (o: T) => P,
  limit = LIST_PAGE_SIZE,
): Promise<{ metadata: { resourceVersion?: string }; items: P[] }> {
  const items: P[] = [];
  let resourceVersion: string | undefined;
  let next: string | undefined;
  do {
    const page = await list(next === undefined ? { limit } : { limit, _continue: next });
    for (const item of page.items) items.push(project(item));
    resourceVersion = page.metadata?.resourceVersion;
    next = page.metadata?._continue || undefined;
  } while (next !== undefined);
  return { metadata: { resourceVersion }, items };
}

/** An informer (list, then watch from its resourceVersion) whose cache holds the projections of the objects. */
export function projectingInformer<T, P extends KubernetesObject>(src: ProjectedInformerSource<T>, project: (o: T) => P): ListWatch<P> {
  return new ListWatch<P>(src.path, new ProjectingWatch(src.kc, project), () => listProjected(src.list, project), false, src.labelSelector);
}
