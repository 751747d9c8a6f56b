/**
 * Each simulated node's own source address. In a cluster every agent and probe pod talks to the coordinator
 * from its node's (or pod's) address, and the coordinator's gate limits TokenReviews per source address; in
 * the demo they all run in one process on loopback, so each node gets its own address in 127.0.0.0/8
 * (Linux answers the whole block on lo) and its HTTP calls leave from there. Where only 127.0.0.1 is
 * configured (not Linux), the calls go out as they are and the gate sees one source.
 */
import http from 'node:http';
import net from 'node:net';
import type { Fetch } from '../../shared/fetch.js';

/** The second octet of each role's addresses: 127.64.x.y for the agents, 127.65.x.y for the probe pods. */
export const AGENT_SOURCES = 64;
export const PROBE_SOURCES = 65;

/** The `index`-th address of a role's block (never a .0 or .255 last octet). */
export function loopbackAddress(role: number, index: number): string {
  const n = Math.floor(index);
  return `127.${role}.${Math.floor(n / 254)}.${(n % 254) + 1}`;
}

let usable: Promise<boolean> | undefined;

/** Whether this host accepts loopback addresses beyond 127.0.0.1 as source addresses (checked once). */
export function loopbackBlockUsable(): Promise<boolean> {
  usable ??= new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(0, loopbackAddress(AGENT_SOURCES, 0), () => server.close(() => resolve(true)));
  });
  return usable;
}

function responseHeaders(res: http.IncomingMessage): [string, string][] {
  return Object.entries(res.headers).flatMap(([k, v]) => (v === undefined ? [] : [[k, Array.isArray(v) ? v.join(', ') : v] as [string, string]]));
}

/** A fetch whose connections leave from `localAddress` (kept alive, as the global fetch keeps them). */
export function fetchFrom(localAddress: string): Fetch {
  const agent = new http.Agent({ keepAlive: true, localAddress });
  return (url, init) =>
    new Promise<Response>((resolve, reject) => {
      const headers = Object.fromEntries(new Headers(init.headers).entries());
      const req = http.request(url, { method: init.method ?? 'GET', headers, agent, ...(init.signal ? { signal: init.signal } : {}) }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const body = chunks.length === 0 ? null : Buffer.concat(chunks);
          resolve(new Response(body, { status: res.statusCode ?? 500, statusText: res.statusMessage ?? '', headers: responseHeaders(res) }));
        });
      });
      req.on('error', reject);
      req.end(typeof init.body === 'string' ? init.body : undefined);
    });
}

/**
 * One fetch per node, each from the node's own address in the role's block (the next one free on a node's
 * first call); the global fetch where the block is not usable.
 */
export class NodeSources {
  private readonly fetches = new Map<string, Fetch>();

  constructor(private readonly role: number) {}

  fetchFor(node: string): Fetch {
    let f = this.fetches.get(node);
    if (f === undefined) {
      const bound = fetchFrom(loopbackAddress(this.role, this.fetches.size));
      f = async (url, init) => ((await loopbackBlockUsable()) ? bound(url, init) : fetch(url, init));
      this.fetches.set(node, f);
    }
    return f;
  }
}
