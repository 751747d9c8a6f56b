/**
 * The check script for real: a "pod" network namespace joined by a veth to a "server" namespace that
 * runs an HTTPS server (self-signed cert made here with openssl), dnsmasq, and answers pings. The pod
 * side's resolver is `/etc/netns/<pod>/resolv.conf`, which `ip netns exec` bind-mounts.
 */
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { createNetns, netnsExecArgv, type Netns } from '../../support/netns.js';
import { CHECK_SCRIPT } from '../../../agent/checks/check-script.js';
import { parseCheckReport, parseCheckReportJson } from '../../../agent/checks/check-report.js';
import { CheckEnv } from '../../../shared/checks.js';

const SERVER_IP = '10.77.0.1';
const POD_IP = '10.77.0.2';
const SUBNET = '10.77.0.0/24';
const API_PORT = '8443';
const DNS_NAME = 'api.check.test';
const DNS_ANSWER = '10.77.0.99';
const READY_DEADLINE_MS = 10_000;

let pod: Netns;
let server: Netns;
let work = '';
const children: ChildProcess[] = [];

/** Start argv inside the server namespace and wait (with a deadline) until its output shows `ready`. */
async function startInServer(argv: string[], ready: RegExp, env: Record<string, string> = {}): Promise<void> {
  const [file, ...args] = netnsExecArgv(server.name, argv);
  const child = spawn(file ?? 'ip', args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  children.push(child);
  let seen = '';
  const found = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${argv[0]} not ready: ${seen}`)), READY_DEADLINE_MS);
    const onData = (chunk: Buffer): void => {
      seen += chunk.toString();
      if (ready.test(seen)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${argv[0]} exited ${code}: ${seen}`));
    });
  });
  await found;
}

const HTTPS_SERVER = `
const https = require('node:https'); const fs = require('node:fs');
https.createServer({ key: fs.readFileSync(process.env.KEY), cert: fs.readFileSync(process.env.CERT) }, (req, res) => {
  res.writeHead(403, { 'content-type': 'application/json' }); res.end('{"kind":"Status"}');
}).listen(${API_PORT}, '${SERVER_IP}', () => console.log('listening'));`;

beforeAll(async () => {
  [pod, server] = await Promise.all([createNetns('chkpod'), createNetns('chksrv')]);
  const tag = randomBytes(3).toString('hex');
  await execa('ip', ['link', 'add', `cp${tag}`, 'netns', pod.name, 'type', 'veth', 'peer', 'name', `cs${tag}`, 'netns', server.name]);
  await pod.run(['ip', 'addr', 'add', `${POD_IP}/24`, 'dev', `cp${tag}`]);
  await pod.run(['ip', 'link', 'set', `cp${tag}`, 'up']);
  await server.run(['ip', 'addr', 'add', `${SERVER_IP}/24`, 'dev', `cs${tag}`]);
  await server.run(['ip', 'link', 'set', `cs${tag}`, 'up']);

  work = await mkdtemp(path.join(tmpdir(), 'check-script-'));
  const key = path.join(work, 'key.pem');
  const cert = path.join(work, 'cert.pem');
  await execa('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=check-test']);
  await startInServer(['node', '-e', HTTPS_SERVER], /listening/, { KEY: key, CERT: cert });
  await startInServer(
    ['dnsmasq', '--keep-in-foreground', '--log-facility=-', '--conf-file=/dev/null', '--no-resolv', '--no-hosts',
      '--bind-interfaces', `--listen-address=${SERVER_IP}`, '--port=53', `--pid-file=${path.join(work, 'dnsmasq.pid')}`,
      `--address=/${DNS_NAME}/${DNS_ANSWER}`],
    /started, version/,
  );
  await mkdir(`/etc/netns/${pod.name}`, { recursive: true });
  await writeFile(`/etc/netns/${pod.name}/resolv.conf`, `nameserver ${SERVER_IP}\noptions timeout:1 attempts:1\n`);
});

afterAll(async () => {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    }
  }
  await rm(`/etc/netns/${pod?.name}`, { recursive: true, force: true });
  await Promise.all([pod?.destroy(), server?.destroy()]);
  await rm(work, { recursive: true, force: true });
});

interface Inputs {
  cidr: string;
  peers: string[];
  dnsName: string;
  apiPort: string;
}
const good: Inputs = { cidr: SUBNET, peers: [SERVER_IP], dnsName: DNS_NAME, apiPort: API_PORT };

async function runScript(inputs: Inputs): Promise<{ exitCode: number; message: string }> {
  const report = path.join(work, `report-${randomBytes(4).toString('hex')}.json`);
  const res = await execa('ip', ['netns', 'exec', pod.name, '/bin/sh', '-c', CHECK_SCRIPT], {
    reject: false,
    env: {
      PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin',
      [CheckEnv.expectedCidr]: inputs.cidr,
      [CheckEnv.peers]: inputs.peers.join(' '),
      [CheckEnv.dnsName]: inputs.dnsName,
      [CheckEnv.timeoutSeconds]: '1',
      KUBERNETES_SERVICE_HOST: SERVER_IP,
      KUBERNETES_SERVICE_PORT: inputs.apiPort,
      CHECK_REPORT_PATH: report,
    },
    extendEnv: false,
  });
  return { exitCode: res.exitCode ?? -1, message: await readFile(report, 'utf8') };
}

const expectationsOf = (i: Inputs) => ({ expectedCidr: i.cidr, peers: i.peers, dnsName: i.dnsName });

describe('the check script in a network namespace pair', () => {
  it('when everything answers, then it exits 0 and reports every check passed, with latencies', async () => {
    const { exitCode, message } = await runScript(good);
    const verdict = parseCheckReport(message, expectationsOf(good));
    expect(verdict.failures).toEqual([]);
    expect(verdict.verdict).toBe('pass');
    expect(exitCode).toBe(0);
    expect(verdict.report.podIP).toBe(POD_IP);
    const byCheck = Object.fromEntries(verdict.report.results.map((r) => [r.check, r.detail]));
    expect(byCheck).toEqual({ 'pod-cidr': POD_IP, api: 'HTTP 403', ping: 'reply', dns: DNS_ANSWER });
    for (const r of verdict.report.results) expect(r.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it.each([
    ['the pod IP is outside the expected CIDR', { ...good, cidr: '10.245.0.0/16' }, 'pod-cidr', `${POD_IP} is outside`],
    ['the API does not answer', { ...good, apiPort: '8444' }, 'api', 'no HTTP answer'],
    ['a peer is down', { ...good, peers: [SERVER_IP, '10.77.0.50'] }, 'ping', 'no reply'],
    ['the DNS name does not resolve', { ...good, dnsName: 'missing.check.test' }, 'dns', undefined],
  ])('when %s, then it exits 1 and only that check fails', async (_what, inputs, failing, detail) => {
    const { exitCode, message } = await runScript(inputs);
    const verdict = parseCheckReport(message, expectationsOf(inputs));
    expect(exitCode).toBe(1);
    expect(verdict.verdict).toBe('fail');
    expect(verdict.failures.map((f) => f.check)).toEqual([failing]);
    if (detail !== undefined) expect(verdict.failures[0]?.reason).toBe(detail);
  });

  it('when an input holds quotes, backslashes, a newline and shell syntax, then the report is still valid JSON', async () => {
    const marker = path.join(work, 'pwned');
    const nasty = { ...good, dnsName: `a"b\\c$(touch ${marker})\nx` };
    const { exitCode, message } = await runScript(nasty);
    const report = parseCheckReportJson(message);
    const dns = report.results.find((r) => r.check === 'dns');
    expect(exitCode).toBe(1);
    expect(dns?.ok).toBe(false);
    expect(dns?.target).toBe(`a"b\\c$(touch ${marker})`);
    await expect(readFile(marker)).rejects.toThrow(/ENOENT/);
  });
});
