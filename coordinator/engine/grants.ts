/**
 * Grant slots: Lease `cni-migrate-slot-<i>` held by the node being migrated (`kubectl get leases -n
 * cni-migrate` shows who). The leader is their only writer: it grants, renews while held, and releases.
 */
import { isCniMigrateError } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';
import { SLOT_LEASE_PREFIX, slotLeaseName } from '../../shared/names.js';
import type { LeaseRecord, LeasesApi } from '../kube/leases.js';

export function slotIndexOf(leaseName: string): number | undefined {
  if (!leaseName.startsWith(SLOT_LEASE_PREFIX)) return undefined;
  const i = Number(leaseName.slice(SLOT_LEASE_PREFIX.length));
  return Number.isInteger(i) && i >= 0 ? i : undefined;
}

export class SlotGrants {
  private readonly records = new Map<number, LeaseRecord>();
  /**
   * Slots whose holder finished, not written yet: the next grant of the slot writes the new holder over
   * the finished one (one Lease write per hand-off); `flushReleases` writes those no one took (once the
   * rollout's decision says so: not while the next node waits only for a validation peer or a gate). A
   * coordinator that dies in between leaves the finished node holding the slot, and its successor
   * releases it again.
   */
  private readonly freed = new Set<number>();

  constructor(
    private readonly leases: LeasesApi,
    private readonly durationSeconds: number,
    private readonly now: () => Date,
    private readonly log: Logger,
  ) {}

  /** Reads the slot Leases (the grants survive a coordinator restart). */
  async load(): Promise<void> {
    this.records.clear();
    this.freed.clear();
    for (const l of await this.leases.list()) {
      const i = slotIndexOf(l.name);
      if (i !== undefined) this.records.set(i, l);
    }
  }

  holders(): Map<number, string> {
    const out = new Map<number, string>();
    for (const [i, l] of this.records) if (l.holder && !this.freed.has(i)) out.set(i, l.holder);
    return out;
  }

  holds(node: string): boolean {
    for (const [i, l] of this.records) if (l.holder === node && !this.freed.has(i)) return true;
    return false;
  }

  /**
   * Grants `slot` to `node`. A Conflict means this copy of the slot Lease is stale (a renewal that failed,
   * or a write whose answer was lost): read the slots again, and write once more only if the slot is
   * still free or held by the node that finished with it; already held by `node` means the earlier write
   * went through.
   */
  async grant(slot: number, node: string): Promise<void> {
    try {
      await this.writeGrant(slot, node);
    } catch (e) {
      if (!(isCniMigrateError(e) && e.code === 'Conflict')) throw e;
      await this.reload();
      const holder = this.records.get(slot)?.holder;
      if (holder === node) return;
      if (holder !== undefined && !this.freed.has(slot)) throw e;
      await this.writeGrant(slot, node);
    }
  }

  /**
   * Reads the slots again, keeping as freed each slot still held by the node that finished with it: its
   * release ran once and is not asked for again, so forgetting it would keep the slot from every later grant.
   */
  private async reload(): Promise<void> {
    const finished = new Map([...this.freed].map((i) => [i, this.records.get(i)?.holder]));
    await this.load();
    for (const [i, holder] of finished) if (holder !== undefined && this.records.get(i)?.holder === holder) this.freed.add(i);
  }

  private async writeGrant(slot: number, node: string): Promise<void> {
    const now = this.now();
    const current = this.records.get(slot);
    const base: LeaseRecord = current ?? {
      name: slotLeaseName(slot),
      holder: undefined,
      acquireTime: undefined,
      renewTime: undefined,
      durationSeconds: this.durationSeconds,
      transitions: 0,
      annotations: {},
      resourceVersion: undefined,
    };
    await this.write({ ...base, holder: node, acquireTime: now, renewTime: now, transitions: base.transitions + 1 });
  }

  /** Frees the node's slot at once; the Lease is written by the slot's next grant or by `flushReleases`. */
  release(node: string): Promise<void> {
    for (const [i, l] of this.records) if (l.holder === node) this.freed.add(i);
    return Promise.resolve();
  }

  /** The slots freed so far and not written yet. */
  freedNow(): ReadonlySet<number> {
    return new Set(this.freed);
  }

  /**
   * Writes the release of every freed slot (of `slots`, by default all) that no grant took over. A pass
   * flushes only the slots freed before its grant decision: a node that finished during the pass frees its
   * slot for the next pass's grant to write over, not for a release write now and a grant write next.
   */
  async flushReleases(slots: Iterable<number> = this.freed): Promise<void> {
    for (const i of [...slots]) {
      if (!this.freed.has(i)) continue;
      const l = this.records.get(i);
      if (l) await this.write({ ...l, holder: undefined, acquireTime: undefined, renewTime: undefined });
      this.freed.delete(i);
    }
  }

  private async write(r: LeaseRecord): Promise<void> {
    const written = await this.leases.write({ ...r, durationSeconds: this.durationSeconds });
    const i = slotIndexOf(written.name);
    if (i === undefined) return;
    this.records.set(i, written);
    if (written.holder !== undefined) this.freed.delete(i);
  }
}
