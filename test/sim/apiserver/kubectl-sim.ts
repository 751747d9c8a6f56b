/**
 * The simulated API server over HTTPS (kubectl sends credentials only over TLS) with a kubeconfig for real
 * kubectl from PATH, as the admin: one set-up for every test that runs the kubectl binary against the sim.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { startApiServer, type SimApiServer } from '../../../sim/apiserver/index.js';

export interface KubectlSim {
  server: SimApiServer;
  /** A scratch directory (holds the kubeconfig and the certificate); removed by close(). */
  dir: string;
  kubectl(...args: string[]): Promise<{ exitCode: number; stdout: string; stderr: string }>;
  close(): Promise<void>;
}

/** Fails at once, naming what is missing, when kubectl cannot run. */
export async function requireKubectl(): Promise<void> {
  const r = await execa('kubectl', ['version', '--client'], { reject: false });
  if (r.exitCode !== 0) {
    throw new Error(`this test needs the kubectl binary on PATH and could not run it: ${r.stderr || r.message || 'exit ' + String(r.exitCode)}`);
  }
}

export async function startKubectlSim(prefix: string): Promise<KubectlSim> {
  await requireKubectl();
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  await execa('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1']);
  const server = await startApiServer({ tls: { cert: readFileSync(cert, 'utf8'), key: readFileSync(key, 'utf8') } });
  const kubeconfig = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'sim', cluster: { server: server.url, 'certificate-authority': cert } }],
    users: [{ name: 'admin', user: { token: server.adminToken } }],
    contexts: [{ name: 'sim', context: { cluster: 'sim', user: 'admin' } }],
    'current-context': 'sim',
  };
  writeFileSync(join(dir, 'kubeconfig'), JSON.stringify(kubeconfig));
  return {
    server,
    dir,
    async kubectl(...args) {
      const r = await execa('kubectl', ['--kubeconfig', join(dir, 'kubeconfig'), ...args], { reject: false, timeout: 60_000 });
      return { exitCode: r.exitCode ?? -1, stdout: r.stdout, stderr: r.stderr };
    },
    async close() {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
