/**
 * A throw-away self-signed certificate for the standalone API server, made with openssl (argv, no shell),
 * so that kubectl (which sends credentials only over TLS) can talk to it.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { isIP } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';

export interface CertPair {
  cert: string;
  key: string;
}

/** The openssl argv that writes a one-day self-signed certificate valid for `host`. */
export function selfSignedArgv(host: string, keyPath: string, certPath: string): string[] {
  const san = isIP(host) ? `IP:${host}` : `DNS:${host}`;
  return ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyPath, '-out', certPath, '-days', '1', '-subj', `/CN=${host}`, '-addext', `subjectAltName=${san}`];
}

export async function selfSignedCert(host: string): Promise<CertPair> {
  const dir = await mkdtemp(join(tmpdir(), 'sim-tls-'));
  try {
    const key = join(dir, 'key.pem');
    const cert = join(dir, 'cert.pem');
    await execa('openssl', selfSignedArgv(host, key, cert));
    return { cert: await readFile(cert, 'utf8'), key: await readFile(key, 'utf8') };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
