/**
 * The zero-downtime probe ↔ coordinator HTTP contract. Each probe pod (DaemonSet `cni-migrate-probe`, on the
 * pod network, one per node) sends a small UDP probe to the probe pods of its peers (the coordinator's answer
 * names a bounded few) and through the probe Service every 200 ms, holds a TCP connection to each peer, and reports what it saw:
 *
 *   POST /v1/probe/reports   ProbeReport -> ProbeAnswer (the peers to probe next)
 *
 * A report carries each probe's own send time, so a report held back by the very outage it measures gives
 * the same figures when it arrives later. Authenticated like the agents: a projected token (audience
 * cni-migrate) of the probe's ServiceAccount, bound to a pod on the node the report speaks for.
 */
import { z } from 'zod';
import { API_PREFIX, Ipv4Schema, K8sNameSchema } from './api.js';

export const PROBE_REPORT_PATH = `${API_PREFIX}/probe/reports`;
/** How often each probe pod probes each target (in a large cluster the coordinator asks for less often). */
export const PROBE_INTERVAL_MS = 200;
/** The probe pods' UDP echo port and TCP hold port (container ports of the DaemonSet, and the Service's). */
export const PROBE_UDP_PORT = 8475;
export const PROBE_TCP_PORT = 8476;
/** The target name of probes sent through the Service (its backend is whichever probe pod it picks). */
export const SERVICE_TARGET = 'service';
/** A report holds at most this many series and samples per series (older samples are dropped first). */
export const MAX_SERIES = 512;
export const MAX_SAMPLES_PER_SERIES = 150;

/** One probe: when it was sent (ms since the epoch) and its round trip in ms, or null when no answer came. */
export const ProbeSampleSchema = z.tuple([z.number().nonnegative(), z.number().nonnegative().nullable()]);
export type ProbeSample = z.infer<typeof ProbeSampleSchema>;

export const ProbeSeriesSchema = z.strictObject({
  /** The peer's node, or `service`. */
  target: z.union([K8sNameSchema, z.literal(SERVICE_TARGET)]),
  ip: Ipv4Schema,
  samples: z.array(ProbeSampleSchema).max(MAX_SAMPLES_PER_SERIES),
  /** When a held TCP connection to the target broke (ms since the epoch). */
  broken: z.array(z.number().nonnegative()).max(MAX_SAMPLES_PER_SERIES),
});
export type ProbeSeries = z.infer<typeof ProbeSeriesSchema>;

export const ProbeReportSchema = z.strictObject({
  nodeName: K8sNameSchema,
  podName: K8sNameSchema,
  podIP: Ipv4Schema,
  series: z.array(ProbeSeriesSchema).max(MAX_SERIES),
});
export type ProbeReport = z.infer<typeof ProbeReportSchema>;

export const ProbePeerSchema = z.strictObject({ node: K8sNameSchema, ip: Ipv4Schema });
export type ProbePeer = z.infer<typeof ProbePeerSchema>;

/** The longest report period the coordinator asks for: a report then still holds every sample (150 per series). */
export const MAX_REPORT_PERIOD_MS = 20_000;
/** The longest probe interval the coordinator asks for. */
export const MAX_PROBE_INTERVAL_MS = 5_000;

/**
 * The peers to probe from now on (a bounded set of the other nodes' probe pods that reported lately), and in
 * a large cluster the pace the coordinator asks for: how long to wait at least before the next report, and
 * between two probes of a target (a pod whose own period or interval is longer keeps its own).
 */
export const ProbeAnswerSchema = z.strictObject({
  peers: z.array(ProbePeerSchema),
  minReportPeriodMs: z.number().int().nonnegative().max(MAX_REPORT_PERIOD_MS).optional(),
  probeIntervalMs: z.number().int().min(PROBE_INTERVAL_MS).max(MAX_PROBE_INTERVAL_MS).optional(),
});
export type ProbeAnswer = z.infer<typeof ProbeAnswerSchema>;

/** The pairings the figures are grouped by: the two ends' CNIs, or through the Service. */
export const PAIRINGS = ['calico-calico', 'calico-cilium', 'cilium-cilium', 'service'] as const;
export type Pairing = (typeof PAIRINGS)[number];
