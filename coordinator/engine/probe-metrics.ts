/** The probe's Prometheus metrics, per pairing: counted probes, lost probes, broken connections, gaps, round trips. */
import { Counter, Gauge, type Registry } from 'prom-client';
import { PAIRINGS } from '../../shared/probe.js';
import type { ProbeFigures, SampleBatch } from '../core/probe/figures.js';

export class ProbeMetrics {
  private readonly probes: Counter<'pairing'>;
  private readonly lost: Counter<'pairing'>;
  private readonly broken: Counter<'pairing'>;
  private readonly excluded: Counter;
  private readonly gap: Gauge<'pairing'>;
  private readonly latency: Gauge<'pairing' | 'quantile'>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.probes = new Counter({ name: 'cni_migrate_probe_probes_total', help: 'Probes counted, by pairing (calico-calico, calico-cilium, cilium-cilium, service).', labelNames: ['pairing'], registers });
    this.lost = new Counter({ name: 'cni_migrate_probe_lost_total', help: 'Probes that got no answer, by pairing.', labelNames: ['pairing'], registers });
    this.broken = new Counter({ name: 'cni_migrate_probe_broken_connections_total', help: 'Held TCP connections between probe pods that broke, by pairing.', labelNames: ['pairing'], registers });
    this.excluded = new Counter({ name: 'cni_migrate_probe_excluded_total', help: 'Probes left out: an end in flight (drained, rebooting on purpose) or a replaced target pod.', registers });
    this.gap = new Gauge({ name: 'cni_migrate_probe_longest_gap_seconds', help: 'The longest time one probe path went unanswered, by pairing.', labelNames: ['pairing'], registers });
    this.latency = new Gauge({ name: 'cni_migrate_probe_latency_seconds', help: 'Probe round trip, p50 and p99, by pairing.', labelNames: ['pairing', 'quantile'], registers });
    for (const pairing of PAIRINGS) {
      this.probes.inc({ pairing }, 0);
      this.lost.inc({ pairing }, 0);
      this.broken.inc({ pairing }, 0);
    }
  }

  /** A report's counted probes, one increment per pairing (not per probe). */
  counted(batch: SampleBatch, excluded: number): void {
    for (const [pairing, b] of batch.pairings) {
      if (b.samples > 0) this.probes.inc({ pairing }, b.samples);
      if (b.lost > 0) this.lost.inc({ pairing }, b.lost);
      if (b.broken > 0) this.broken.inc({ pairing }, b.broken);
    }
    if (excluded > 0) this.excluded.inc(excluded);
  }

  figures(figures: ProbeFigures): void {
    for (const [pairing, f] of Object.entries(figures)) {
      this.gap.set({ pairing }, f.longestGapMs / 1000);
      if (f.p50Ms !== null) this.latency.set({ pairing, quantile: '0.5' }, f.p50Ms / 1000);
      if (f.p99Ms !== null) this.latency.set({ pairing, quantile: '0.99' }, f.p99Ms / 1000);
    }
  }
}
