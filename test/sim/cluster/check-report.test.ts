import { describe, it, expect } from '@jest/globals';
import type { V1Pod } from '@kubernetes/client-node';
import { CheckEnv, CheckReportSchema } from '../../../shared/checks.js';
import { computeCheckReport, readCheckInput, reportPassed, type CheckWorld, type PeerLocation } from '../../../sim/cluster/check-report.js';
import { noFaults } from '../../../sim/cluster/faults.js';

const checkPod = (env: Record<string, string>): V1Pod => ({
  metadata: { name: 'check', namespace: 'cni-migrate' },
  spec: { containers: [{ name: 'check', image: 'busybox', env: Object.entries(env).map(([name, value]) => ({ name, value })) }] },
});

const env = {
  [CheckEnv.expectedCidr]: '10.245.0.0/16',
  [CheckEnv.peers]: '10.245.2.5 10.244.3.7',
  [CheckEnv.dnsName]: 'kubernetes.default.svc.cluster.local',
  [CheckEnv.timeoutSeconds]: '3',
};

const peers = new Map<string, PeerLocation>([
  ['10.245.2.5', { node: 'w2', cni: 'cilium', networkBroken: false }],
  ['10.244.3.7', { node: 'w3', cni: 'calico', networkBroken: false }],
]);

const world = (over: Partial<CheckWorld> = {}): CheckWorld => ({
  node: 'w1',
  cni: 'cilium',
  podIP: '10.245.1.9',
  faults: noFaults(),
  apiUrl: 'https://10.96.0.1:443',
  findPeer: (ip) => peers.get(ip),
  dnsReady: true,
  dnsAnswer: '10.96.0.1',
  crossCniRouting: true,
  seed: 7,
  ...over,
});

const failing = (w: CheckWorld): string[] => {
  const input = readCheckInput(checkPod(env));
  if (!input) throw new Error('input');
  return computeCheckReport(w, input).results.filter((r) => !r.ok).map((r) => `${r.check}:${r.target}`);
};

describe('check pod input', () => {
  it('when the env is complete, then peers are split on spaces', () => {
    expect(readCheckInput(checkPod(env))).toEqual({ expectedCidr: '10.245.0.0/16', peers: ['10.245.2.5', '10.244.3.7'], dnsName: 'kubernetes.default.svc.cluster.local', timeoutSeconds: 3 });
  });

  it('when the expected CIDR is missing, then the pod is not a usable check pod', () => {
    expect(readCheckInput(checkPod({ [CheckEnv.dnsName]: 'x' }))).toBeUndefined();
  });
});

describe('check pod report', () => {
  it.each<[string, Partial<CheckWorld>, string[]]>([
    ['when all is well, then every check passes', {}, []],
    ['when the pod got a Calico address, then pod-cidr fails', { podIP: '10.244.1.9', cni: 'calico' }, ['pod-cidr:10.245.0.0/16']],
    ['when DNS is broken on the node, then dns fails', { faults: { ...noFaults(), dnsBroken: true } }, ['dns:kubernetes.default.svc.cluster.local']],
    ['when CoreDNS has no ready pod, then dns fails', { dnsReady: false }, ['dns:kubernetes.default.svc.cluster.local']],
    ['when the API is unreachable, then api fails', { faults: { ...noFaults(), apiUnreachable: true } }, ['api:https://10.96.0.1:443']],
    [
      'when the node pod network is broken, then everything that leaves the pod fails',
      { faults: { ...noFaults(), podNetworkBroken: true } },
      ['api:https://10.96.0.1:443', 'ping:10.245.2.5', 'ping:10.244.3.7', 'dns:kubernetes.default.svc.cluster.local'],
    ],
    ['when a peer IP belongs to no running pod, then its ping fails', { findPeer: (ip) => (ip === '10.245.2.5' ? peers.get(ip) : undefined) }, ['ping:10.244.3.7']],
    ['when there is no routing between CNIs, then the Calico peer is unreachable', { crossCniRouting: false }, ['ping:10.244.3.7']],
    ['when the peer node network is broken, then its ping fails', { findPeer: (ip) => (ip === '10.245.2.5' ? { node: 'w2', cni: 'cilium', networkBroken: true } : peers.get(ip)) }, ['ping:10.245.2.5']],
  ])('%s', (_name, over, expected) => {
    expect(failing(world(over))).toEqual(expected);
  });

  it('when a report is computed, then it parses with the contract schema and latencies are deterministic', () => {
    const input = readCheckInput(checkPod(env));
    if (!input) throw new Error('input');
    const a = computeCheckReport(world(), input);
    expect(CheckReportSchema.parse(JSON.parse(JSON.stringify(a)))).toEqual(a);
    expect(computeCheckReport(world(), input)).toEqual(a);
    expect(reportPassed(a)).toBe(true);
    const ping = a.results.find((r) => r.check === 'ping');
    expect(ping?.latencyMs).toBeGreaterThan(0);
    expect(ping?.latencyMs).toBeLessThan(5);
  });

  it('when a check fails, then its latency is the timeout', () => {
    const input = readCheckInput(checkPod(env));
    if (!input) throw new Error('input');
    const report = computeCheckReport(world({ dnsReady: false }), input);
    expect(report.results.find((r) => r.check === 'dns')?.latencyMs).toBe(3000);
    expect(reportPassed(report)).toBe(false);
  });
});
