/**
 * The long-lived TCP connections of the probe: a server that holds whatever connects, and one held
 * connection to each peer. A connection that ends without this side closing it is a broken connection;
 * the next tick connects again.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import type { SampleBook } from './sample-book.js';

export async function startHoldServer(port: number, host: string): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
    s.on('data', (d) => s.write(d));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : port,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

interface Held {
  socket: Socket;
  established: boolean;
}

export class ConnectionHolder {
  private readonly held = new Map<string, Held>();
  private closing = false;

  constructor(
    private readonly book: SampleBook,
    private readonly now: () => number = Date.now,
  ) {}

  /** Keeps one connection to each of `targets` (and drops those to targets no longer listed). */
  hold(targets: readonly { target: string; ip: string; port: number }[]): void {
    const wanted = new Set(targets.map((t) => `${t.target}/${t.ip}`));
    for (const [key, h] of this.held) {
      if (wanted.has(key)) continue;
      this.held.delete(key);
      h.socket.destroy();
    }
    for (const t of targets) if (!this.held.has(`${t.target}/${t.ip}`)) this.connect(t);
  }

  private connect(t: { target: string; ip: string; port: number }): void {
    const key = `${t.target}/${t.ip}`;
    const socket = createConnection({ host: t.ip, port: t.port });
    const h: Held = { socket, established: false };
    this.held.set(key, h);
    socket.setKeepAlive(true, 1000);
    socket.on('connect', () => (h.established = true));
    socket.on('data', () => undefined);
    socket.on('error', () => undefined);
    socket.on('close', () => {
      if (this.held.get(key) !== h) return;
      this.held.delete(key);
      if (h.established && !this.closing) this.book.broke(t, this.now());
    });
  }

  /** Sends a byte on each held connection (the peer echoes it), so a dead path shows as an error. */
  touch(): void {
    for (const h of this.held.values()) if (h.established) h.socket.write('.');
  }

  close(): void {
    this.closing = true;
    for (const h of this.held.values()) h.socket.destroy();
    this.held.clear();
  }
}
