/**
 * The disruption controller inside the server: keeps every PodDisruptionBudget's status current,
 * recomputing (coalesced, right after the write that triggered it) when a matching pod or the PDB changes.
 */
import { timestamp, type ApiContext } from './context.js';
import { jsonEqual, labelsOf, metaOf, nameOf, namespaceOf, objAt, strAt, type Obj } from './json.js';
import { computePdbStatus, controllerOf } from './pdb-status.js';
import { matchesLabels, requirementsOfSelector } from './selectors.js';
import type { StoredEvent } from './store.js';

export const PDB_STORAGE = 'policy/poddisruptionbudgets';

const CONTROLLER_STORAGE: Record<string, string> = {
  ReplicaSet: 'apps/replicasets',
  Deployment: 'apps/deployments',
  StatefulSet: 'apps/statefulsets',
  DaemonSet: 'apps/daemonsets',
};

/** Whether the PDB's selector picks this pod (an empty or missing selector picks nothing, as in policy/v1 for null). */
export function pdbSelects(pdb: Obj, pod: Obj): boolean {
  const reqs = requirementsOfSelector(objAt(pdb, 'spec')['selector']);
  if (!reqs) return false;
  return namespaceOf(pdb) === namespaceOf(pod) && matchesLabels(labelsOf(pod), reqs);
}

function scaleOf(ctx: ApiContext, ns: string, ctl: { kind: string; name: string }): number | undefined {
  const storage = CONTROLLER_STORAGE[ctl.kind];
  const obj = storage ? ctx.store.get(storage, ns, ctl.name) : undefined;
  if (!obj) return undefined;
  if (ctl.kind === 'DaemonSet') return Number(objAt(obj, 'status')['desiredNumberScheduled'] ?? 0);
  const replicas = objAt(obj, 'spec')['replicas'];
  return typeof replicas === 'number' ? replicas : 1;
}

function controllerScale(ctx: ApiContext, ns: string, pods: Obj[]): number | undefined {
  const seen = new Map<string, number>();
  let uncontrolled = 0;
  for (const pod of pods) {
    const ctl = controllerOf(pod);
    const scale = ctl ? scaleOf(ctx, ns, ctl) : undefined;
    if (ctl && scale !== undefined) seen.set(`${ctl.kind}/${ctl.name}`, scale);
    else uncontrolled += 1;
  }
  if (seen.size === 0) return undefined;
  return [...seen.values()].reduce((a, b) => a + b, 0) + uncontrolled;
}

/** What `scaleOf` reads of a controller: its replicas, or a DaemonSet's desired count. */
const scaleValue = (o: Obj): string => JSON.stringify([objAt(o, 'spec')['replicas'] ?? null, objAt(o, 'status')['desiredNumberScheduled'] ?? null]);

const SCALED_STORAGES = new Set(Object.values(CONTROLLER_STORAGE));

export class DisruptionController {
  private dirty = new Set<string>();
  private scheduled: NodeJS.Immediate | undefined;

  constructor(private readonly ctx: ApiContext) {}

  observe(storage: string, ev: StoredEvent): void {
    if (storage === PDB_STORAGE) this.observeBudget(ev);
    if (storage === '/pods') this.observePod(ev);
    if (SCALED_STORAGES.has(storage)) this.observeController(ev);
  }

  /**
   * A controller's scale feeds `expectedPods`: recompute the budgets of its namespace when the scale changes (not on
   * its every status write: a DaemonSet's status changes with each of its pods, and each recompute reads every pod of
   * the namespace).
   */
  private observeController(ev: StoredEvent): void {
    if (ev.type === 'MODIFIED' && ev.previous && scaleValue(ev.previous) === scaleValue(ev.object)) return;
    for (const pdb of this.ctx.store.list(PDB_STORAGE, { namespace: namespaceOf(ev.object) })) this.markDirty(pdb);
  }

  private observeBudget(ev: StoredEvent): void {
    if (ev.type === 'DELETED') return;
    if (!ev.previous || !jsonEqual(objAt(ev.object, 'spec'), objAt(ev.previous, 'spec'))) this.markDirty(ev.object);
  }

  private observePod(ev: StoredEvent): void {
    const ns = namespaceOf(ev.object);
    for (const pdb of this.ctx.store.list(PDB_STORAGE, { namespace: ns })) {
      if (pdbSelects(pdb, ev.object) || (ev.previous && pdbSelects(pdb, ev.previous))) this.markDirty(pdb);
    }
  }

  /** PDBs in the pod's namespace whose selector picks it. */
  budgetsFor(pod: Obj): Obj[] {
    return this.ctx.store.list(PDB_STORAGE, { namespace: namespaceOf(pod) }).filter((pdb) => pdbSelects(pdb, pod));
  }

  /** Recompute one PDB now (eviction needs a current answer) and return it as stored. */
  refresh(ns: string, name: string): Obj | undefined {
    this.dirty.delete(`${ns}/${name}`);
    const pdb = this.ctx.store.get(PDB_STORAGE, ns, name);
    if (!pdb) return undefined;
    const pods = this.ctx.store.list('/pods', { namespace: ns }).filter((p) => pdbSelects(pdb, p));
    const now = this.ctx.now();
    const status = computePdbStatus({ pdb, pods, controllerScale: controllerScale(this.ctx, ns, pods), now, nowStamp: timestamp(now) });
    if (jsonEqual(status, pdb['status'])) return pdb;
    return this.ctx.store.put(PDB_STORAGE, { ...pdb, status });
  }

  stop(): void {
    if (this.scheduled) clearImmediate(this.scheduled);
  }

  private markDirty(pdb: Obj): void {
    this.dirty.add(`${namespaceOf(pdb)}/${nameOf(pdb)}`);
    this.scheduled ??= setImmediate(() => this.flush());
  }

  private flush(): void {
    this.scheduled = undefined;
    const keys = [...this.dirty];
    this.dirty.clear();
    for (const key of keys) {
      const [ns = '', name = ''] = key.split('/');
      this.refresh(ns, name);
    }
  }
}

export const generationOf = (o: Obj): number => Number(metaOf(o)['generation'] ?? 1);
export const observedGenerationOf = (o: Obj): number => Number(objAt(o, 'status')['observedGeneration'] ?? 0);
export const phaseOf = (pod: Obj): string => strAt(objAt(pod, 'status'), 'phase') ?? '';
