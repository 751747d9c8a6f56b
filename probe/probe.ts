/**
 * One probe pod: every `intervalMs` a UDP probe to each peer the coordinator's last answer named and one through the
 * Service, a byte on each held TCP connection; every `reportEveryMs` a report to the coordinator, whose
 * answer lists the peers (and, in a large cluster, asks for a longer interval and period). Before the first
 * answer it probes only through the Service.
 */
import type { Logger } from '../shared/logger.js';
import { SERVICE_TARGET, type ProbeAnswer, type ProbeReport } from '../shared/probe.js';
import { sendReport } from './reporter.js';
import { SampleBook } from './sample-book.js';
import { ConnectionHolder, startHoldServer } from './tcp.js';
import { startEchoServer, UdpProber } from './udp.js';

export interface ProbeConfig {
  identity: Pick<ProbeReport, 'nodeName' | 'podName' | 'podIP'>;
  /** Where the echo and hold servers listen (the pod's address, or 0.0.0.0). */
  bindHost: string;
  udpPort: number;
  tcpPort: number;
  /** The probe Service's address and UDP port, when the environment gives one. */
  service: { ip: string; port: number } | undefined;
  coordinatorUrl: string;
  token: () => Promise<string>;
  intervalMs: number;
  reportEveryMs: number;
  /** A probe unanswered this long is lost. */
  timeoutMs: number;
  log: Logger;
}

export interface RunningProbe {
  /** The peers of the last answer. */
  peers(): ProbeAnswer['peers'];
  stop(): Promise<void>;
}

export async function startProbe(c: ProbeConfig): Promise<RunningProbe> {
  const book = new SampleBook(c.timeoutMs);
  const echo = await startEchoServer(c.udpPort, c.bindHost);
  const hold = await startHoldServer(c.tcpPort, c.bindHost);
  const udp = await UdpProber.start(book);
  const holder = new ConnectionHolder(book);
  let peers: ProbeAnswer['peers'] = [];
  let periodMs = c.reportEveryMs;
  let intervalMs = c.intervalMs;
  let reporting$: NodeJS.Timeout | undefined;
  let stopped = false;
  let lastError: string | undefined;

  const tick = (): void => {
    book.expire(Date.now());
    const targets = peers.map((p) => ({ target: p.node, ip: p.ip }));
    for (const t of targets) udp.probe({ ...t, port: c.udpPort });
    if (c.service) udp.probe({ target: SERVICE_TARGET, ip: c.service.ip, port: c.service.port });
    holder.hold(targets.map((t) => ({ ...t, port: c.tcpPort })));
    holder.touch();
  };
  // One report at a time, each `periodMs` after the last one's start (or at once when that one took longer).
  const report = async (): Promise<void> => {
    const startedAt = Date.now();
    const outcome = await sendReport({ coordinatorUrl: () => c.coordinatorUrl, token: c.token, identity: c.identity, timeoutMs: c.reportEveryMs * 4 }, book);
    if (outcome.ok) {
      peers = outcome.answer.peers.filter((p) => p.node !== c.identity.nodeName);
      periodMs = Math.max(c.reportEveryMs, outcome.answer.minReportPeriodMs ?? 0);
      probeEvery(Math.max(c.intervalMs, outcome.answer.probeIntervalMs ?? 0));
    }
    const error = outcome.ok ? undefined : outcome.error;
    if (error !== lastError) c.log[error ? 'warn' : 'info']({ node: c.identity.nodeName, err: error }, error ? 'report not taken; kept for the next' : 'reporting');
    lastError = error;
    if (!stopped) reporting$ = setTimeout(() => void report(), Math.max(0, startedAt + periodMs - Date.now()));
  };
  let probing = setInterval(tick, intervalMs);
  /** A new interval the coordinator asked for takes over from the next tick on. */
  const probeEvery = (ms: number): void => {
    if (ms === intervalMs || stopped) return;
    intervalMs = ms;
    clearInterval(probing);
    probing = setInterval(tick, intervalMs);
  };
  reporting$ = setTimeout(() => void report(), c.reportEveryMs);
  return {
    peers: () => peers,
    stop: async () => {
      stopped = true;
      clearInterval(probing);
      clearTimeout(reporting$);
      holder.close();
      await Promise.all([udp.close(), echo.close(), hold.close()]);
    },
  };
}
