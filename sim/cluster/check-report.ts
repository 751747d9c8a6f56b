/**
 * The simulated validation check pod: its inputs read from the pod's env, and its report computed from the
 * network model. Pure; latencies are plausible and deterministic for a given seed.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { z } from 'zod';
import { CHECK_CONTAINER_NAME, CHECK_REPORT_VERSION, CheckEnv, type CheckReport, type CheckResult } from '../../shared/checks.js';
import type { NodeFaults } from './faults.js';
import type { Cni } from './network-model.js';
import { ipInCidr } from './network-model.js';
import { hashString, seededRandom } from './rand.js';

const CheckInputSchema = z.object({
  expectedCidr: z.string().min(1),
  peers: z.array(z.string().min(1)),
  dnsName: z.string().min(1),
  timeoutSeconds: z.number().positive(),
});
export type CheckInput = z.infer<typeof CheckInputSchema>;

/** Read the check's inputs from the `check` container's env; undefined when the pod is not a usable check pod. */
export function readCheckInput(pod: V1Pod): CheckInput | undefined {
  const container = pod.spec?.containers.find((c) => c.name === CHECK_CONTAINER_NAME);
  const env = new Map((container?.env ?? []).map((e) => [e.name, e.value ?? '']));
  const parsed = CheckInputSchema.safeParse({
    expectedCidr: env.get(CheckEnv.expectedCidr),
    peers: (env.get(CheckEnv.peers) ?? '').split(/\s+/).filter((p) => p !== ''),
    dnsName: env.get(CheckEnv.dnsName),
    timeoutSeconds: Number(env.get(CheckEnv.timeoutSeconds) ?? '5'),
  });
  return parsed.success ? parsed.data : undefined;
}

export interface PeerLocation {
  node: string;
  cni: Cni;
  networkBroken: boolean;
}

export interface CheckWorld {
  node: string;
  cni: Cni;
  podIP: string;
  faults: NodeFaults;
  apiUrl: string;
  /** Where a running pod with this IP lives, if any. */
  findPeer: (ip: string) => PeerLocation | undefined;
  /** Whether CoreDNS has at least one Ready pod. */
  dnsReady: boolean;
  /** The cluster DNS Service address reported for a resolved name. */
  dnsAnswer: string;
  /** Calico and Cilium nodes route to each other (Cilium's legacy host routing). */
  crossCniRouting: boolean;
  seed: number;
}

type Latency = (target: string, ok: boolean) => number;

function latencyFor(world: CheckWorld, input: CheckInput): Latency {
  return (target, ok) => {
    if (!ok) return input.timeoutSeconds * 1000;
    const random = seededRandom(hashString(`${world.seed}/${world.node}/${world.podIP}/${target}`));
    return Math.round((0.2 + random() * 2.8) * 100) / 100;
  };
}

function pingResult(world: CheckWorld, peerIp: string, latency: Latency): CheckResult {
  const peer = world.findPeer(peerIp);
  const routed = peer !== undefined && (peer.cni === world.cni || world.crossCniRouting);
  const reason = peer === undefined ? 'no running pod has this address' : !routed ? 'no route between CNIs' : 'pod network broken';
  const ok = routed && !world.faults.podNetworkBroken && !peer.networkBroken;
  return { check: 'ping', target: peerIp, ok, latencyMs: latency(peerIp, ok), detail: ok ? `reply from ${peerIp}` : reason };
}

export function computeCheckReport(world: CheckWorld, input: CheckInput): CheckReport {
  const latency = latencyFor(world, input);
  const inCidr = ipInCidr(world.podIP, input.expectedCidr);
  const apiOk = !world.faults.apiUnreachable && !world.faults.podNetworkBroken;
  const dnsOk = world.dnsReady && !world.faults.dnsBroken && !world.faults.podNetworkBroken;
  const results: CheckResult[] = [
    { check: 'pod-cidr', target: input.expectedCidr, ok: inCidr, latencyMs: 0, detail: world.podIP },
    { check: 'api', target: world.apiUrl, ok: apiOk, latencyMs: latency(world.apiUrl, apiOk), detail: apiOk ? 'HTTP 200' : 'connection timed out' },
    ...input.peers.slice(0, 29).map((ip) => pingResult(world, ip, latency)),
    {
      check: 'dns',
      target: input.dnsName,
      ok: dnsOk,
      latencyMs: latency(input.dnsName, dnsOk),
      detail: dnsOk ? world.dnsAnswer : world.dnsReady ? 'i/o timeout' : 'no CoreDNS endpoint ready',
    },
  ];
  return { version: CHECK_REPORT_VERSION, podIP: world.podIP, results };
}

export const reportPassed = (report: CheckReport): boolean => report.results.every((r) => r.ok);
