import { describe, expect, it } from '@jest/globals';
import type { z } from 'zod';
import {
  ApiErrorSchema,
  BootIdSchema,
  CleanupSummarySchema,
  HeartbeatResponseSchema,
  HeartbeatSchema,
  Ipv4CidrSchema,
  K8sNameSchema,
  OrderIdSchema,
  OrderQuerySchema,
  OrderResponseSchema,
  OrderResultSchema,
  OrderSchema,
  RegisterRequestSchema,
  RegisterResponseSchema,
  ResultAckSchema,
} from '../../shared/api.js';
import { CheckReportSchema, CheckResultSchema } from '../../shared/checks.js';

const BOOT = '0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9';
const identity = { nodeName: 'worker-1', podName: 'cni-migrate-agent-x7k2p', bootId: BOOT };
const register = { ...identity, kernel: '6.1.0-18-amd64', agentVersion: '0.1.0' };
const heartbeat = { ...identity, kernel: '6.1.0-18-amd64', iptablesBackends: ['nft'], calicoLeftovers: true };
const checkResult = { check: 'ping', target: '10.244.1.7', ok: true, latencyMs: 0.4, detail: '64 bytes' };
const report = { version: 1, podIP: '10.245.3.9', results: [checkResult] };
const orders = {
  reboot: { kind: 'reboot', id: 'worker-1.1.Rebooting', ifBootId: BOOT },
  validate: {
    kind: 'validate',
    id: 'worker-1.1.Validating',
    expectedCidr: '10.245.0.0/16',
    peers: ['10.244.1.7', '10.245.0.12'],
    dnsName: 'kubernetes.default.svc.cluster.local',
    timeoutSeconds: 30,
  },
  restore: { kind: 'restore-cni-files', id: 'worker-1.2.RollbackRestoringCniFiles' },
  cleanup: { kind: 'cleanup', id: 'cleanup-worker-1', dryRun: true },
  'validate with an image': {
    kind: 'validate',
    id: 'worker-2.1.Validating',
    expectedCidr: '10.245.0.0/16',
    peers: [],
    dnsName: 'kubernetes.default.svc.cluster.local',
    timeoutSeconds: 30,
    image: 'registry.local:5000/netshoot@sha256:abc123',
  },
};
const result = { ...identity, orderId: 'worker-1.1.Validating', outcome: 'succeeded', message: 'all checks passed', checks: report };

/** The messages zod gives for `value`, or [] when it parses. */
function problems(schema: z.ZodType, value: unknown): string[] {
  const r = schema.safeParse(value);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

describe('names and identifiers', () => {
  it.each(['worker-1', 'ip-10-0-1-5.ec2.internal', 'a', 'x'.repeat(253)])('when a node name is %s, then it is accepted', (n) => {
    expect(problems(K8sNameSchema, n)).toEqual([]);
  });

  it.each(['', 'Worker-1', '-worker', 'worker-', 'worker_1', 'x'.repeat(254), 'node 1', '../etc'])(
    'when a node name is %j, then it is rejected',
    (n) => {
      expect(problems(K8sNameSchema, n)).not.toEqual([]);
    },
  );

  it.each([BOOT.toUpperCase(), BOOT.slice(1), `${BOOT}\n`, 'not-a-uuid', ''])('when a boot id is %j, then it is rejected', (b) => {
    expect(problems(BootIdSchema, b)).not.toEqual([]);
  });

  it.each(['a/b', 'x'.repeat(129), '', 'id with space'])('when an order id is %j, then it is rejected', (id) => {
    expect(problems(OrderIdSchema, id)).not.toEqual([]);
  });

  it('when a CIDR lacks its prefix length, then it is rejected', () => {
    expect(problems(Ipv4CidrSchema, '10.245.0.0')).toEqual([': must be an IPv4 CIDR such as 10.245.0.0/16']);
  });
});

describe('register and heartbeat bodies', () => {
  it.each([
    ['RegisterRequest', RegisterRequestSchema, register],
    ['Heartbeat', HeartbeatSchema, heartbeat],
    ['RegisterResponse', RegisterResponseSchema, { heartbeatIntervalSeconds: 10, longPollSeconds: 30 }],
    ['HeartbeatResponse', HeartbeatResponseSchema, { ok: true }],
  ])('when a valid %s arrives, then it parses unchanged', (_n, schema: z.ZodType, body) => {
    expect(schema.parse(body)).toEqual(body);
  });

  it.each([
    ['an unknown key', RegisterRequestSchema, { ...register, admin: true }, ': Unrecognized key: "admin"'],
    ['a bad boot id', RegisterRequestSchema, { ...register, bootId: 'abc' }, 'bootId: must be a lowercase UUID'],
    ['a bad node name', HeartbeatSchema, { ...heartbeat, nodeName: 'Node_1' }, 'nodeName: must be a lowercase RFC 1123 name'],
    ['three iptables backends', HeartbeatSchema, { ...heartbeat, iptablesBackends: ['nft', 'legacy', 'nft'] }, 'iptablesBackends: Too big: expected array to have <=2 items'],
    ['an unknown iptables backend', HeartbeatSchema, { ...heartbeat, iptablesBackends: ['ebpf'] }, 'iptablesBackends.0: Invalid option: expected one of "legacy"|"nft"'],
    ['a missing field', HeartbeatSchema, { ...heartbeat, calicoLeftovers: undefined }, 'calicoLeftovers: Invalid input: expected boolean, received undefined'],
    ['a long poll over the limit', RegisterResponseSchema, { heartbeatIntervalSeconds: 10, longPollSeconds: 61 }, 'longPollSeconds: Too big: expected number to be <=60'],
    ['ok false', HeartbeatResponseSchema, { ok: false }, 'ok: Invalid input: expected true'],
  ])('when a body has %s, then the error names the field', (_n, schema: z.ZodType, body, message) => {
    expect(problems(schema, body)).toEqual([message]);
  });
});

describe('orders', () => {
  it.each(Object.entries(orders))('when a %s order arrives, then it parses as its kind', (_k, order) => {
    expect(OrderSchema.parse(order)).toEqual(order);
    expect(OrderResponseSchema.parse({ order })).toEqual({ order });
  });

  it('when there is no order, then the response carries null', () => {
    expect(OrderResponseSchema.parse({ order: null })).toEqual({ order: null });
    expect(problems(OrderResponseSchema, {})).not.toEqual([]);
  });

  it('when the kind is unknown, then the discriminated union says which kinds exist', () => {
    expect(problems(OrderSchema, { kind: 'format-disk', id: 'x' })).toEqual([
      "kind: Invalid discriminator value. Expected 'reboot' | 'validate' | 'restore-cni-files' | 'cleanup'",
    ]);
    expect(problems(OrderSchema, { id: 'x' })).toHaveLength(1);
  });

  it.each([
    ['a reboot without ifBootId', { kind: 'reboot', id: 'a' }, 'ifBootId: Invalid input: expected string, received undefined'],
    ['a reboot with a field of another kind', { ...orders.reboot, dryRun: true }, ': Unrecognized key: "dryRun"'],
    ['a validate with 17 peers', { ...orders.validate, peers: Array(17).fill('10.0.0.1') }, 'peers: Too big: expected array to have <=16 items'],
    ['a validate with a bad peer', { ...orders.validate, peers: ['10.0.0.1', 'pod-a'] }, 'peers.1: must be an IPv4 address'],
    ['a validate timeout over 600 s', { ...orders.validate, timeoutSeconds: 601 }, 'timeoutSeconds: Too big: expected number to be <=600'],
    ['a validate with a shell in its image', { ...orders.validate, image: 'x; reboot' }, 'image: must be an image reference'],
    ['a cleanup without dryRun', { kind: 'cleanup', id: 'c' }, 'dryRun: Invalid input: expected boolean, received undefined'],
  ])('when %s arrives, then the error names the field', (_n, order, message) => {
    expect(problems(OrderSchema, order)).toEqual([message]);
  });

  it('when the long-poll query is given as strings, then it is coerced and bounded', () => {
    expect(OrderQuerySchema.parse({ waitSeconds: '30', after: 'w.1.Rebooting' })).toEqual({ waitSeconds: 30, after: 'w.1.Rebooting' });
    expect(OrderQuerySchema.parse({})).toEqual({ waitSeconds: 0 });
    expect(problems(OrderQuerySchema, { waitSeconds: '61' })).toEqual(['waitSeconds: Too big: expected number to be <=60']);
    expect(problems(OrderQuerySchema, { waitSeconds: 'soon' })).not.toEqual([]);
    expect(problems(OrderQuerySchema, { waitSeconds: '5', debug: '1' })).toEqual([': Unrecognized key: "debug"']);
  });
});

describe('results', () => {
  it('when a validate result carries its check report, then it parses', () => {
    expect(OrderResultSchema.parse(result)).toEqual(result);
  });

  it('when a cleanup result carries its summary, then it parses', () => {
    const cleanup = { removed: { 'iptables-rules': 412, ipsets: 9 }, leftover: 0, durationMs: 812.5 };
    expect(OrderResultSchema.parse({ ...result, outcome: 'succeeded', checks: undefined, cleanup })).toMatchObject({ cleanup });
  });

  it.each([
    ['an unknown outcome', { ...result, outcome: 'maybe' }, 'outcome: Invalid option: expected one of "succeeded"|"failed"|"refused"'],
    ['a message over 4 KiB', { ...result, message: 'x'.repeat(4097) }, 'message: Too big: expected string to have <=4096 characters'],
    ['an unknown key', { ...result, extra: 1 }, ': Unrecognized key: "extra"'],
  ])('when a result has %s, then it is rejected', (_n, body, message) => {
    expect(problems(OrderResultSchema, body)).toEqual([message]);
  });

  it.each([
    ['a negative count', { removed: { links: -1 }, leftover: 0, durationMs: 1 }, 'removed.links: Too small: expected number to be >=0'],
    ['a fractional leftover', { removed: {}, leftover: 0.5, durationMs: 1 }, 'leftover: Invalid input: expected int, received number'],
  ])('when a cleanup summary has %s, then it is rejected', (_n, body, message) => {
    expect(problems(CleanupSummarySchema, body)).toEqual([message]);
  });

  it('when an ack or an error body is checked, then only the documented shapes pass', () => {
    expect(ResultAckSchema.parse({ accepted: false })).toEqual({ accepted: false });
    expect(ApiErrorSchema.parse({ error: 'BadRequest', message: 'no', issues: ['a'] })).toMatchObject({ issues: ['a'] });
    expect(problems(ApiErrorSchema, { error: 'BadRequest' })).toEqual(['message: Invalid input: expected string, received undefined']);
  });
});

describe('the check report', () => {
  it('when the check pod reports, then the report parses', () => {
    expect(CheckReportSchema.parse(report)).toEqual(report);
  });

  it.each([
    ['no results', { ...report, results: [] }, 'results: Too small: expected array to have >=1 items'],
    ['33 results', { ...report, results: Array(33).fill(checkResult) }, 'results: Too big: expected array to have <=32 items'],
    ['another version', { ...report, version: 2 }, 'version: Invalid input: expected 1'],
    ['an unknown key', { ...report, node: 'w1' }, ': Unrecognized key: "node"'],
  ])('when a report has %s, then it is rejected', (_n, body, message) => {
    expect(problems(CheckReportSchema, body)).toEqual([message]);
  });

  it.each([
    ['an unknown check', { ...checkResult, check: 'http' }, 'check: Invalid option: expected one of "pod-cidr"|"api"|"ping"|"dns"'],
    ['a negative latency', { ...checkResult, latencyMs: -1 }, 'latencyMs: Too small: expected number to be >=0'],
    ['an empty target', { ...checkResult, target: '' }, 'target: Too small: expected string to have >=1 characters'],
    ['a detail over 256 characters', { ...checkResult, detail: 'x'.repeat(257) }, 'detail: Too big: expected string to have <=256 characters'],
  ])('when a result has %s, then it is rejected', (_n, body, message) => {
    expect(problems(CheckResultSchema, body)).toEqual([message]);
  });
});
