/**
 * The probe program on real sockets: two probe pods on two loopback addresses (the same ports, as on a pod
 * network), a coordinator that answers each report with the other pod as peer, and the probe Service played
 * by one of the pods. What each reports is what the network did: answers with round trips, probes lost and
 * a held connection broken once a peer is gone, and reports kept while the coordinator is away.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { silentLogger } from '../../shared/logger.js';
import { PROBE_REPORT_PATH, ProbeReportSchema, type ProbeReport } from '../../shared/probe.js';
import { startProbe, type RunningProbe } from '../../probe/probe.js';
import { freePort } from '../support/free-port.js';
import { waitFor } from '../support/wait-for.js';

interface FakeCoordinator {
  url: string;
  reports: ProbeReport[];
  /** The reports answered 503 while away. */
  refused: ProbeReport[];
  /** While false, every report gets a 503 (a coordinator that is away). */
  taking: boolean;
  /** The report period the answers ask of each node's pod (none: the pod keeps its own). */
  periods: Map<string, number>;
  /** The probe interval the answers ask of each node's pod, and when the first such answer went out. */
  intervals: Map<string, number>;
  intervalAskedAt: Map<string, number>;
  close(): Promise<void>;
}

async function fakeCoordinator(): Promise<FakeCoordinator> {
  const c: FakeCoordinator = { url: '', reports: [], refused: [], taking: true, periods: new Map(), intervals: new Map(), intervalAskedAt: new Map(), close: () => Promise.resolve() };
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      if (req.url !== PROBE_REPORT_PATH || req.headers.authorization !== 'Bearer t0ken' || !c.taking) {
        if (req.url === PROBE_REPORT_PATH && !c.taking) c.refused.push(ProbeReportSchema.parse(JSON.parse(body)));
        res.writeHead(503).end('away');
        return;
      }
      const report = ProbeReportSchema.parse(JSON.parse(body));
      c.reports.push(report);
      const peers = [...new Map(c.reports.map((r) => [r.nodeName, r.podIP])).entries()].filter(([n]) => n !== report.nodeName).map(([node, ip]) => ({ node, ip }));
      const minReportPeriodMs = c.periods.get(report.nodeName);
      const probeIntervalMs = c.intervals.get(report.nodeName);
      if (probeIntervalMs !== undefined && !c.intervalAskedAt.has(report.nodeName)) c.intervalAskedAt.set(report.nodeName, Date.now());
      const pace = { ...(minReportPeriodMs === undefined ? {} : { minReportPeriodMs }), ...(probeIntervalMs === undefined ? {} : { probeIntervalMs }) };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ peers, ...pace }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  c.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  c.close = () => new Promise((resolve) => server.close(() => resolve()));
  return c;
}

const running: RunningProbe[] = [];
let coordinator: FakeCoordinator | undefined;

afterEach(async () => {
  await Promise.all(running.splice(0).map((p) => p.stop()));
  await coordinator?.close();
});

async function twoProbes(): Promise<{ a: RunningProbe; b: RunningProbe; c: FakeCoordinator; ips: [string, string] }> {
  const c = await fakeCoordinator();
  coordinator = c;
  const [udpPort, tcpPort] = [await freePort(), await freePort()];
  const base = 10 + Math.floor(Math.random() * 200);
  const ips: [string, string] = [`127.0.${base}.2`, `127.0.${base}.3`];
  const start = (node: string, ip: string) =>
    startProbe({
      identity: { nodeName: node, podName: `probe-${node}`, podIP: ip },
      bindHost: ip, udpPort, tcpPort,
      service: { ip: ips[1], port: udpPort },
      coordinatorUrl: c.url,
      token: () => Promise.resolve('t0ken'),
      intervalMs: 50, reportEveryMs: 100, timeoutMs: 300,
      log: silentLogger(),
    });
  const a = await start('node-a', ips[0]);
  const b = await start('node-b', ips[1]);
  running.push(a, b);
  return { a, b, c, ips };
}

const samplesOf = (c: Pick<FakeCoordinator, 'reports'>, from: string, target: string) =>
  c.reports.filter((r) => r.nodeName === from).flatMap((r) => r.series.filter((s) => s.target === target).flatMap((s) => s.samples));
const brokenOf = (c: FakeCoordinator, from: string, target: string) =>
  c.reports.filter((r) => r.nodeName === from).flatMap((r) => r.series.filter((s) => s.target === target).flatMap((s) => s.broken));

describe('the probe on real sockets', () => {
  it('when both pods run, then each reports answered probes to the other and through the Service, with round trips', async () => {
    const { c, ips } = await twoProbes();
    await waitFor('answered probes both ways and through the Service', () =>
      samplesOf(c, 'node-a', 'node-b').filter((s) => s[1] !== null).length >= 5 &&
      samplesOf(c, 'node-b', 'node-a').filter((s) => s[1] !== null).length >= 5 &&
      samplesOf(c, 'node-a', 'service').filter((s) => s[1] !== null).length >= 5, { timeoutMs: 30_000 });
    const series = c.reports.flatMap((r) => r.series).find((s) => s.target === 'node-b');
    expect(series?.ip).toBe(ips[1]);
    expect(samplesOf(c, 'node-a', 'node-b').every((s) => s[1] === null || s[1] < 300)).toBe(true);
    expect(brokenOf(c, 'node-a', 'node-b')).toEqual([]);
  });

  it('when a peer goes away, then its probes go unanswered and the held connection to it counts as broken', async () => {
    const { a, b, c } = await twoProbes();
    await waitFor('a holds a connection to b and hears it', () => a.peers().length === 1 && samplesOf(c, 'node-a', 'node-b').some((s) => s[1] !== null), { timeoutMs: 30_000 });
    await b.stop();
    running.splice(running.indexOf(b), 1);
    await waitFor('lost probes and a broken connection from a to b', () =>
      samplesOf(c, 'node-a', 'node-b').filter((s) => s[1] === null).length >= 3 && brokenOf(c, 'node-a', 'node-b').length >= 1, { timeoutMs: 30_000 });
  });

  it('when the coordinator is away, then the reports are kept and arrive later with their own send times', async () => {
    const { c } = await twoProbes();
    await waitFor('a first report from a', () => c.reports.some((r) => r.nodeName === 'node-a'), { timeoutMs: 30_000 });
    c.taking = false;
    const awayFrom = Date.now();
    // Away until reports holding three probes sent while away were refused (a time would decide it under load).
    const refusedSentAt = (): number[] => samplesOf({ reports: c.refused }, 'node-a', 'service').map((x) => x[0]).filter((t) => t > awayFrom);
    await waitFor('three probes sent while away, refused', () => new Set(refusedSentAt()).size >= 3, { timeoutMs: 30_000 });
    const kept = [...new Set(refusedSentAt())];
    c.taking = true;
    await waitFor('the probes sent while away, reported late with their own send times', () => {
      const arrived = new Set(samplesOf(c, 'node-a', 'service').map((x) => x[0]));
      return kept.every((t) => arrived.has(t));
    }, { timeoutMs: 30_000 });
  });

  it('when the answer asks for a longer report period, then the pod waits that long before its next report (the other keeps its own)', async () => {
    const { c } = await twoProbes();
    c.periods.set('node-a', 20_000);
    const reportsOf = (node: string): number => c.reports.filter((r) => r.nodeName === node).length;
    await waitFor('an answer to node-a asking for 20 s', () => reportsOf('node-a') >= 1, { timeoutMs: 30_000 });
    // The report in flight when the period was set may be answered before it: count from the next one.
    const askedAt = reportsOf('node-a') + 1;
    const bFrom = reportsOf('node-b');
    await waitFor('twelve more reports from node-b, which reports every 100 ms', () => reportsOf('node-b') >= bFrom + 12, { timeoutMs: 30_000 });
    expect(reportsOf('node-a')).toBeLessThanOrEqual(askedAt);
  });

  it('when the answer asks for a longer probe interval, then the pod probes that seldom from then on (the other keeps its own)', async () => {
    const { c } = await twoProbes();
    c.intervals.set('node-a', 5000);
    await waitFor('an answer to node-a asking for 5 s between probes', () => c.intervalAskedAt.has('node-a'), { timeoutMs: 30_000 });
    const askedAt = c.intervalAskedAt.get('node-a') ?? 0;
    const sentSince = (node: string, t: number): number[] => samplesOf(c, node, 'service').map(([at]) => at).filter((at) => at > t).sort((x, y) => x - y);
    await waitFor('sixty probes of node-b through the Service since the answer, at one per 50 ms', () => sentSince('node-b', askedAt).length >= 60, { timeoutMs: 30_000 });
    // Counted from node-b's thirtieth probe on: by then node-a has long read the answer, however loaded the machine.
    const from = sentSince('node-b', askedAt)[29] ?? askedAt;
    expect(sentSince('node-a', from).length).toBeLessThanOrEqual(1 + Math.ceil((Date.now() - from) / 5000));
  });
});
