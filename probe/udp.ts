/**
 * The UDP side of the probe: an echo server (every probe pod answers its peers) and a sender that stamps
 * each probe with a sequence number and hands the answer back to the sample book.
 */
import { createSocket, type Socket } from 'node:dgram';
import type { SampleBook } from './sample-book.js';

const PROBE = 'cni-migrate-probe ';
const ANSWER = 'cni-migrate-answer ';

/** Answers every probe datagram with the same sequence number. */
export async function startEchoServer(port: number, host: string): Promise<{ port: number; close(): Promise<void> }> {
  const socket = createSocket('udp4');
  socket.on('message', (msg, from) => {
    const text = msg.toString('utf8');
    if (text.startsWith(PROBE)) socket.send(`${ANSWER}${text.slice(PROBE.length)}`, from.port, from.address);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, host, () => resolve());
  });
  return { port: socket.address().port, close: () => new Promise((resolve) => socket.close(() => resolve())) };
}

/** Sends probes from one socket and matches the answers. */
export class UdpProber {
  private seq = 0;
  private constructor(
    private readonly socket: Socket,
    private readonly book: SampleBook,
    private readonly now: () => number,
  ) {
    socket.on('message', (msg) => {
      const text = msg.toString('utf8');
      if (text.startsWith(ANSWER)) this.book.answered(Number(text.slice(ANSWER.length)), this.now());
    });
    // A send to an unreachable peer may surface as an error event: the probe is then simply unanswered.
    socket.on('error', () => undefined);
  }

  static async start(book: SampleBook, now: () => number = Date.now): Promise<UdpProber> {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, () => resolve()));
    return new UdpProber(socket, book, now);
  }

  probe(target: { target: string; ip: string; port: number }): void {
    this.seq += 1;
    this.book.sent(this.seq, target, this.now());
    this.socket.send(`${PROBE}${this.seq}`, target.port, target.ip, () => undefined);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}
