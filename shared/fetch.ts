/**
 * The HTTP call the agent's and the probe's clients make: the global `fetch` unless a caller passes its own
 * (the demo sends each simulated node's traffic from that node's own loopback address).
 */
export type Fetch = (url: string, init: RequestInit) => Promise<Response>;
