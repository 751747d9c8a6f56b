/**
 * The simulated probe pods: one per probe DaemonSet pod the simulated cluster runs. Each plays what the
 * real probe does (probe/) with the network model answering instead of real sockets: every 200 ms (or the
 * longer interval the coordinator's answer asks for) a probe to each peer the coordinator's last answer named
 * and one through the probe Service, a held connection per peer; it fills the probe's own sample book and
 * reports with the probe's own reporter, so the coordinator gets the same reports, over HTTP, with a pod-bound
 * token of the probe's ServiceAccount. A pod that is gone (its node rebooted) takes its unsent samples with it,
 * as a real one would; its replacement starts afresh with its new address.
 *
 * Each pod reports on its own schedule, every `reportEveryMs` (or the longer period the coordinator's answer
 * asks for) from its own start, as the real probe's timer runs from its container's start: real pods start at
 * different times, so the coordinator gets a steady stream of reports, not every pod's in the same instant. A
 * pod's start is when the fleet first sees it plus a seeded offset within the period (pods seen in the same
 * tick did not start in the same millisecond).
 */
import { CoreV1Api, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import type { Logger } from '../../shared/logger.js';
import { CILIUM_NAMESPACE, TOKEN_AUDIENCE } from '../../shared/names.js';
import { PROBE_INTERVAL_MS, SERVICE_TARGET, type ProbePeer } from '../../shared/probe.js';
import { sendReport } from '../../probe/reporter.js';
import { SampleBook } from '../../probe/sample-book.js';
import { probeAnswered, probeRttMs, type PodLocation } from '../cluster/probe-model.js';
import { seededRandom, type Random } from '../seeded-random.js';
import { AGENT_NAMESPACE } from './agent-fleet.js';
import { NodeSources, PROBE_SOURCES } from './source-address.js';

export const PROBE_POD_LABEL = 'app.kubernetes.io/component';
export const PROBE_SERVICE_ACCOUNT = 'cni-migrate-probe';
/** A simulated probe is answered within 2 ms or never: its outcome is recorded as it goes out, none waits. */
const SIM_TIMEOUT_MS = 300;

export interface ProbeFleetDeps {
  admin: KubeConfig;
  podLocations: () => Map<string, PodLocation>;
  /** The probe DaemonSet's pods as watched now. */
  pods: () => readonly V1Pod[];
  /** The leader's address (http://host:port), undefined while there is none. */
  coordinatorUrl: () => string | undefined;
  reportEveryMs: number;
  /** Seeds each pod's start within the report period (the demo's `--seed`). */
  seed: number;
  log: Logger;
}

interface SimProbePod {
  uid: string;
  name: string;
  node: string;
  ip: string;
  book: SampleBook;
  peers: readonly ProbePeer[];
  /** The held connection to each peer node: to which address, and whether it is up. */
  connected: Map<string, { ip: string; ok: boolean }>;
  token: Promise<string>;
  /** The period between two of its reports' starts. */
  periodMs: number;
  /** Between two of its probes of a target, and when it probes next. */
  intervalMs: number;
  nextProbeAt: number;
  /** Its pod is gone: a report still in flight schedules no next one. */
  gone: boolean;
  /** The pod's report timer: its first report, then one every period. */
  timer: NodeJS.Timeout | undefined;
}

/** When a pod seen now reports first: at its seeded start within one period (then once every period). */
export const firstReportDelayMs = (random: Random, everyMs: number): number => Math.floor(random() * everyMs);

export const isProbePod = (p: V1Pod): boolean => p.metadata?.namespace === AGENT_NAMESPACE && p.metadata.labels?.[PROBE_POD_LABEL] === 'probe';

export class ProbeFleet {
  private readonly members = new Map<string, SimProbePod>();
  private readonly core: CoreV1Api;
  private seq = 0;
  private legacyRouting = true;
  private reading = false;
  private ticker: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly random: Random;
  /** Each probe pod reports from its own address, as from its pod IP. */
  private readonly sources = new NodeSources(PROBE_SOURCES);

  constructor(private readonly d: ProbeFleetDeps) {
    this.core = d.admin.makeApiClient(CoreV1Api);
    this.random = seededRandom(d.seed);
  }

  start(): void {
    this.ticker = setInterval(() => this.tick(), PROBE_INTERVAL_MS);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.ticker);
    for (const m of this.members.values()) clearTimeout(m.timer);
    await Promise.all([...this.members.values()].map((m) => m.token.catch(() => '')));
  }

  private running(): V1Pod[] {
    return this.d.pods().filter((p) => isProbePod(p) && p.status?.phase === 'Running' && p.status.podIP && p.spec?.nodeName && !p.metadata?.deletionTimestamp);
  }

  /** The members follow the pods: a new pod (or a new address) is a new member. */
  private sync(locations: Map<string, PodLocation>): void {
    const live = new Set<string>();
    for (const p of this.running()) {
      const ip = p.status?.podIP ?? '';
      if (!locations.has(ip)) continue;
      const key = `${p.metadata?.uid ?? ''}/${ip}`;
      live.add(key);
      if (!this.members.has(key)) this.members.set(key, this.member(p, ip));
    }
    for (const [key, m] of this.members) {
      if (live.has(key)) continue;
      clearTimeout(m.timer);
      m.gone = true;
      this.members.delete(key);
    }
  }

  private member(p: V1Pod, ip: string): SimProbePod {
    const name = p.metadata?.name ?? '';
    const uid = p.metadata?.uid ?? '';
    const token = this.issueToken(name, uid);
    token.catch(() => undefined);
    const m: SimProbePod = { uid, name, node: p.spec?.nodeName ?? '', ip, book: new SampleBook(SIM_TIMEOUT_MS), peers: [], connected: new Map(), token, periodMs: this.d.reportEveryMs, intervalMs: PROBE_INTERVAL_MS, nextProbeAt: 0, gone: false, timer: undefined };
    this.scheduleReports(m);
    return m;
  }

  /**
   * The pod's first report within one period of now (its seeded start), then one a period after each report's
   * start (at once after one that took longer), as its own timer: the demo's period, or the longer one the
   * coordinator's last answer asked for.
   */
  private scheduleReports(m: SimProbePod): void {
    const report = async (): Promise<void> => {
      if (this.stopped || m.gone) return;
      const startedAt = Date.now();
      const url = this.d.coordinatorUrl();
      if (url !== undefined) await this.report(m, url);
      if (!this.stopped && !m.gone) m.timer = setTimeout(() => void report(), Math.max(0, startedAt + m.periodMs - Date.now()));
    };
    m.timer = setTimeout(() => void report(), firstReportDelayMs(this.random, this.d.reportEveryMs));
  }

  private tick(): void {
    void this.readLegacyRouting();
    const locations = this.d.podLocations();
    this.sync(locations);
    const now = Date.now();
    const backends = [...this.members.values()].map((m) => m.ip);
    for (const m of this.members.values()) {
      const from = locations.get(m.ip);
      if (!from?.nodeUp || now < m.nextProbeAt) continue;
      // On the fleet's 200 ms tick: a pod asked for a longer interval skips the ticks in between.
      m.nextProbeAt = now + m.intervalMs - PROBE_INTERVAL_MS / 2;
      for (const peer of m.peers) this.probe(m, from, { target: peer.node, ip: peer.ip, to: locations.get(peer.ip) }, now);
      const backend = backends[this.seq % Math.max(1, backends.length)];
      if (backend) this.probe(m, from, { target: SERVICE_TARGET, ip: backend, to: locations.get(backend) }, now);
    }
  }

  /** One probe, its outcome known as it goes out (the network model answers within the round trip or never). */
  private probe(m: SimProbePod, from: PodLocation, t: { target: string; ip: string; to: PodLocation | undefined }, now: number): void {
    this.seq += 1;
    const to = t.to;
    const ok = probeAnswered(from, to, this.legacyRouting);
    // Through the Service the probe's address is the Service's: the book keys it by target, as the real probe does.
    m.book.record(t, now, ok ? probeRttMs(m.ip, t.ip, this.seq, from.cni !== to?.cni) : null);
    if (t.target === SERVICE_TARGET) return;
    const held = m.connected.get(t.target);
    if (held?.ip === t.ip && held.ok && !ok) m.book.broke(t, now);
    if (held?.ip === t.ip) held.ok = ok;
    else m.connected.set(t.target, { ip: t.ip, ok });
  }

  private async report(m: SimProbePod, url: string): Promise<void> {
    const outcome = await sendReport({ coordinatorUrl: () => url, token: () => m.token, identity: { nodeName: m.node, podName: m.name, podIP: m.ip }, timeoutMs: 5000, fetch: this.sources.fetchFor(m.node) }, m.book);
    if (!outcome.ok) return;
    this.takePeers(m, outcome.answer.peers);
    m.periodMs = Math.max(this.d.reportEveryMs, outcome.answer.minReportPeriodMs ?? 0);
    m.intervalMs = Math.max(PROBE_INTERVAL_MS, outcome.answer.probeIntervalMs ?? 0);
  }

  /** The peers of an answer (the coordinator's few for this pod): probed from now on, a held connection to each. */
  private takePeers(m: SimProbePod, answer: readonly ProbePeer[]): void {
    m.peers = answer;
    const live = new Map(answer.map((p) => [p.node, p.ip]));
    for (const [node, held] of [...m.connected]) if (live.get(node) !== held.ip) m.connected.delete(node);
  }

  /** Whether Cilium routes through the host stack (`enable-host-legacy-routing`), read as the kubelet's check pods do. */
  private async readLegacyRouting(): Promise<void> {
    if (this.reading) return;
    this.reading = true;
    try {
      const cm = await this.core.readNamespacedConfigMap({ name: 'cilium-config', namespace: CILIUM_NAMESPACE });
      this.legacyRouting = cm.data?.['enable-host-legacy-routing'] !== 'false';
    } catch {
      // Keep the last known value; the next tick reads it again.
    } finally {
      this.reading = false;
    }
  }

  private async issueToken(podName: string, podUid: string): Promise<string> {
    const answer = await this.core.createNamespacedServiceAccountToken({
      namespace: AGENT_NAMESPACE,
      name: PROBE_SERVICE_ACCOUNT,
      body: { spec: { audiences: [TOKEN_AUDIENCE], expirationSeconds: 3600, boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: podName, uid: podUid } } },
    });
    return answer.status?.token ?? '';
  }
}
