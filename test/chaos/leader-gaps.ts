/**
 * How long the rollout went without a leader because of the kills: from each kill of the leading process
 * to the next leadership term on the leader Lease (a new holder or acquire time), watched from outside.
 */
import { CoordinationV1Api, type KubeConfig, type V1Lease } from '@kubernetes/client-node';
import { LEADER_LEASE_NAME } from '../../shared/names.js';
import { watchList, type WatchedList } from '../../sim/demo/watch-cache.js';

export interface LeaderGapSummary {
  leaderKills: number;
  /** Sum of the gaps: time with the leader dead and no new term yet. */
  leaderlessMs: number;
  failoverP50Ms: number;
  failoverMaxMs: number;
}

const termOf = (l: V1Lease): string =>
  l.spec?.holderIdentity ? `${l.spec.holderIdentity} ${l.spec.acquireTime ? new Date(l.spec.acquireTime).toISOString() : ''}` : '';

export class LeaderGaps {
  private lease: WatchedList<V1Lease> | undefined;
  private term = '';
  private killedAt: number | undefined;
  private kills = 0;
  private readonly gaps: number[] = [];
  private current: V1Lease | undefined;

  constructor(
    private readonly kc: KubeConfig,
    private readonly namespace: string,
  ) {}

  async start(): Promise<void> {
    const leases = this.kc.makeApiClient(CoordinationV1Api);
    const fieldSelector = `metadata.name=${LEADER_LEASE_NAME}`;
    const path = `/apis/coordination.k8s.io/v1/namespaces/${this.namespace}/leases`;
    this.lease = await watchList<V1Lease>(this.kc, path, () => leases.listNamespacedLease({ namespace: this.namespace, fieldSelector }), { fieldSelector });
    this.lease.list().forEach((l) => this.seen(l));
    this.lease.onChange((l) => this.seen(l));
  }

  /** The leading process was just killed (a gap opens unless one is open already). */
  leaderKilled(): void {
    this.kills += 1;
    this.killedAt ??= Date.now();
  }

  summary(): LeaderGapSummary {
    const sorted = [...this.gaps].sort((a, b) => a - b);
    return {
      leaderKills: this.kills,
      leaderlessMs: sorted.reduce((a, b) => a + b, 0),
      failoverP50Ms: sorted[Math.floor((sorted.length - 1) / 2)] ?? 0,
      failoverMaxMs: sorted.at(-1) ?? 0,
    };
  }

  async stop(): Promise<void> {
    await this.lease?.stop();
  }

  /** Who holds the leader Lease, since when, and until when it is valid (undefined when nobody holds it). */
  holder(): { name: string; acquiredAt: number; validUntil: number } | undefined {
    const spec = this.current?.spec;
    if (!spec?.holderIdentity) return undefined;
    const acquiredAt = spec.acquireTime ? new Date(spec.acquireTime).getTime() : 0;
    const renewedAt = spec.renewTime ? new Date(spec.renewTime).getTime() : acquiredAt;
    return { name: spec.holderIdentity, acquiredAt, validUntil: renewedAt + (spec.leaseDurationSeconds ?? 0) * 1000 };
  }

  private seen(l: V1Lease): void {
    this.current = l;
    const term = termOf(l);
    if (term === this.term) return;
    this.term = term;
    if (term === '' || this.killedAt === undefined) return;
    this.gaps.push(Date.now() - this.killedAt);
    this.killedAt = undefined;
  }
}
