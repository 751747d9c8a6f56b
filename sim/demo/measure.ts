/**
 * What the demo measures, from watching Node objects only: how many nodes the tool had cordoned at once,
 * reboots per node (boot id changes), and hand-offs (one node done → the next node cordoned).
 */
import type { V1Node } from '@kubernetes/client-node';
import { NodeAnnotation } from '../../shared/names.js';

interface NodeTrack {
  wasUnschedulable: boolean;
  cordoned: boolean;
  bootId: string | undefined;
  reboots: number;
  phase: string | undefined;
}

export interface Percentiles {
  p50: number;
  p99: number;
}

/** Nearest-rank percentile of `values` (0 for none). */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] ?? 0;
}

export class RolloutObserver {
  private readonly nodes = new Map<string, NodeTrack>();
  private readonly pendingDone: number[] = [];
  private readonly handoffs: number[] = [];
  private inFlight = 0;
  maxInFlight = 0;

  observe(node: V1Node, atMs: number): void {
    const name = node.metadata?.name;
    if (name === undefined) return;
    const unschedulable = node.spec?.unschedulable === true;
    const bootId = node.status?.nodeInfo?.bootID;
    const phase = node.metadata?.annotations?.[NodeAnnotation.phase];
    const track = this.nodes.get(name) ?? this.first(name, unschedulable, bootId);
    this.trackBoot(track, bootId);
    this.trackCordon(track, unschedulable, atMs);
    this.trackPhase(track, phase, atMs);
  }

  private first(name: string, unschedulable: boolean, bootId: string | undefined): NodeTrack {
    const track: NodeTrack = { wasUnschedulable: unschedulable, cordoned: false, bootId, reboots: 0, phase: undefined };
    this.nodes.set(name, track);
    return track;
  }

  private trackBoot(track: NodeTrack, bootId: string | undefined): void {
    if (bootId !== undefined && track.bootId !== undefined && bootId !== track.bootId) track.reboots += 1;
    if (bootId !== undefined) track.bootId = bootId;
  }

  private trackCordon(track: NodeTrack, unschedulable: boolean, atMs: number): void {
    if (track.wasUnschedulable) return;
    if (unschedulable && !track.cordoned) {
      track.cordoned = true;
      this.inFlight += 1;
      this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
      const doneAt = this.pendingDone.shift();
      if (doneAt !== undefined) this.handoffs.push(atMs - doneAt);
    } else if (!unschedulable && track.cordoned) {
      track.cordoned = false;
      this.inFlight -= 1;
    }
  }

  private trackPhase(track: NodeTrack, phase: string | undefined, atMs: number): void {
    if (phase === track.phase) return;
    track.phase = phase;
    if (phase === 'Done') this.pendingDone.push(atMs);
  }

  maxRebootsPerNode(): number {
    return Math.max(0, ...[...this.nodes.values()].map((t) => t.reboots));
  }

  rebootsOf(name: string): number {
    return this.nodes.get(name)?.reboots ?? 0;
  }

  /** null when no node was handed off to the next. */
  handoffMs(): Percentiles | null {
    if (this.handoffs.length === 0) return null;
    return { p50: percentile(this.handoffs, 50), p99: percentile(this.handoffs, 99) };
  }
}
