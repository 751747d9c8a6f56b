/**
 * The cached pods by their controlling owner's uid and the node they are bound to, kept from the pod informer's
 * events: a controller's reconcile reads its own pods, not every pod of the namespace (a thousand-node cluster's
 * kube-system holds thousands), and the DaemonSet controller reads one node's pods after an event about them.
 */
import type { V1Pod } from '@kubernetes/client-node';
import type { Cache } from './informers.js';
import { controllerUid } from './placement.js';

const keyOf = (p: V1Pod): string => `${p.metadata?.namespace ?? ''}/${p.metadata?.name ?? ''}`;
const nodeOf = (p: V1Pod): string => p.spec?.nodeName ?? '';
const ownerOf = (p: V1Pod | undefined): string | undefined => (p ? controllerUid(p) : undefined);
const placeKey = (owner: string, node: string): string => `${owner}\n${node}`;

interface Entry {
  owner: string;
  node: string;
  /** When the cache first showed the pod under this owner: one node's pods come in that order. */
  seq: number;
  pod: V1Pod;
}

/** Told the owner and the node of every pod that changed, was added or went (twice when a pod moves). */
export type PlaceListener = (owner: string, node: string) => void;

export class PodsByOwner {
  private readonly entries = new Map<string, Entry>();
  private readonly byOwner = new Map<string, Map<string, Entry>>();
  private readonly byPlace = new Map<string, Map<string, Entry>>();
  private readonly listeners: PlaceListener[] = [];
  private seq = 0;

  constructor(private readonly pods: Cache<V1Pod>) {
    const changed = (p: V1Pod): void => this.changed(p);
    pods.onChange(changed);
    pods.onDelete(changed);
    for (const p of pods.list()) this.changed(p);
  }

  /** Called after the index took in each pod event, before the cache's listeners registered later. */
  onPlaceChanged(listener: PlaceListener): void {
    this.listeners.push(listener);
  }

  /** The owner's pods, in the order the cache first saw them. */
  of(uid: string | undefined): V1Pod[] {
    const pods = uid === undefined ? undefined : this.byOwner.get(uid);
    return pods ? [...pods.values()].map((e) => e.pod) : [];
  }

  /** The nodes where the owner has pods (bound ones). */
  nodesOf(uid: string): string[] {
    const nodes = new Set<string>();
    for (const e of this.byOwner.get(uid)?.values() ?? []) if (e.node !== '') nodes.add(e.node);
    return [...nodes];
  }

  /** The owner's pods bound to one node, in the order the cache first saw them under this owner. */
  onNode(uid: string, node: string): V1Pod[] {
    const here = this.byPlace.get(placeKey(uid, node));
    if (!here) return [];
    const entries = [...here.values()];
    if (entries.length > 1) entries.sort((a, b) => a.seq - b.seq);
    return entries.map((e) => e.pod);
  }

  private changed(p: V1Pod): void {
    const key = keyOf(p);
    const current = this.pods.get(p.metadata?.name ?? '', p.metadata?.namespace);
    const owner = ownerOf(current);
    const before = this.entries.get(key);
    const was = before ? { owner: before.owner, node: before.node } : undefined;
    if (before && (current === undefined || owner !== before.owner)) this.forget(key, before);
    if (current !== undefined && owner !== undefined) this.remember(key, owner, current);
    this.tellMoves(was, this.entries.get(key));
  }

  /** The place the pod was in changed (even if only the pod did); the place it is in now is new when it moved. */
  private tellMoves(was: { owner: string; node: string } | undefined, now: Entry | undefined): void {
    if (was) this.tell(was.owner, was.node);
    if (now && (now.owner !== was?.owner || now.node !== was.node)) this.tell(now.owner, now.node);
  }

  private forget(key: string, e: Entry): void {
    const owned = this.byOwner.get(e.owner);
    owned?.delete(key);
    if (owned?.size === 0) this.byOwner.delete(e.owner);
    this.leavePlace(key, e);
    this.entries.delete(key);
  }

  /** A pod first seen under this owner is added last; a known one keeps its place in the owner's order. */
  private remember(key: string, owner: string, pod: V1Pod): void {
    const known = this.entries.get(key);
    if (!known) {
      const e: Entry = { owner, node: nodeOf(pod), seq: this.seq++, pod };
      this.entries.set(key, e);
      inner(this.byOwner, owner).set(key, e);
      inner(this.byPlace, placeKey(owner, e.node)).set(key, e);
      return;
    }
    known.pod = pod;
    if (known.node === nodeOf(pod)) return;
    this.leavePlace(key, known);
    known.node = nodeOf(pod);
    inner(this.byPlace, placeKey(owner, known.node)).set(key, known);
  }

  private leavePlace(key: string, e: Entry): void {
    const place = placeKey(e.owner, e.node);
    const here = this.byPlace.get(place);
    here?.delete(key);
    if (here?.size === 0) this.byPlace.delete(place);
  }

  private tell(owner: string, node: string): void {
    for (const l of this.listeners) l(owner, node);
  }
}

function inner<K, V>(map: Map<string, Map<K, V>>, key: string): Map<K, V> {
  let m = map.get(key);
  if (!m) {
    m = new Map();
    map.set(key, m);
  }
  return m;
}
