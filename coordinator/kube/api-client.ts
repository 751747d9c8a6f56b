/**
 * The coordinator's API clients: `kc.makeApiClient`'s, but the calls reuse their connections. client-node
 * authenticates each call with a new http(s).Agent of its own (KubeConfig.applySecurityAuthentication), so every
 * call opened a connection (and a TLS handshake) and closed it: a rollout of a thousand nodes opened tens of
 * thousands. A client-node middleware (the generated clients' supported hook, run after the authentication) hands
 * the call a keep-alive Agent with the same TLS settings instead; the credentials stay per call (the bearer token
 * is a header, re-read by client-node as before). Watches are not affected: each holds its own connection.
 */
import http from 'node:http';
import https from 'node:https';
import { createConfiguration, ServerConfiguration, type KubeConfig, type Configuration, type RequestContext } from '@kubernetes/client-node';

/**
 * An idle connection is closed after this long (or sooner, when the server's Keep-Alive header says so): below
 * the API server's own idle timeout (90 s), so a connection is not reused just as the server closes it.
 */
export const IDLE_CONNECTION_MS = 30_000;

/** The TLS settings client-node gives each call's Agent (from the kubeconfig: CA, client certificate, server name). */
const TLS_FIELDS = ['ca', 'cert', 'key', 'pfx', 'passphrase', 'rejectUnauthorized', 'servername'] as const;

const sameValue = (a: unknown, b: unknown): boolean => (Buffer.isBuffer(a) && Buffer.isBuffer(b) ? a.equals(b) : a === b);

/**
 * One keep-alive Agent per kind, handed to every call whose own Agent has the same settings; a call with other
 * settings (a rotated client certificate) gets a new one. A proxy's Agent is left as it is.
 */
export class KeepAliveAgents {
  private plain: http.Agent | undefined;
  private tls: https.Agent | undefined;

  /** The Agent the call should use instead of `fresh` (the one client-node made for it). */
  agentFor(fresh: http.Agent | https.Agent | undefined): http.Agent | https.Agent | undefined {
    if (fresh?.constructor === https.Agent) return this.tlsAgent(fresh);
    if (fresh?.constructor === http.Agent) return (this.plain ??= new http.Agent({ keepAlive: true, timeout: IDLE_CONNECTION_MS }));
    return fresh;
  }

  /** Closes the idle connections (the process no longer needs them). */
  destroy(): void {
    this.plain?.destroy();
    this.tls?.destroy();
  }

  private tlsAgent(fresh: https.Agent): https.Agent {
    const kept = this.tls;
    if (kept && TLS_FIELDS.every((f) => sameValue(kept.options[f], fresh.options[f]))) return kept;
    const settings = Object.fromEntries(TLS_FIELDS.flatMap((f) => (fresh.options[f] === undefined ? [] : [[f, fresh.options[f]]])));
    this.tls = new https.Agent({ ...settings, keepAlive: true, timeout: IDLE_CONNECTION_MS });
    return this.tls;
  }
}

const agentsOf = new WeakMap<KubeConfig, KeepAliveAgents>();

/** The keep-alive Agents every client of `kc` shares. */
export function keepAliveAgentsOf(kc: KubeConfig): KeepAliveAgents {
  let agents = agentsOf.get(kc);
  if (!agents) {
    agents = new KeepAliveAgents();
    agentsOf.set(kc, agents);
  }
  return agents;
}

/** As `kc.makeApiClient(type)`, with the calls' connections kept alive and shared by every client of `kc`. */
export function apiClient<T>(kc: KubeConfig, type: new (config: Configuration) => T): T {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('No active cluster!');
  const agents = keepAliveAgentsOf(kc);
  const keepAlive = {
    pre: (ctx: RequestContext): Promise<RequestContext> => {
      const agent = agents.agentFor(ctx.getAgent());
      if (agent) ctx.setAgent(agent);
      return Promise.resolve(ctx);
    },
    post: <R>(response: R): Promise<R> => Promise.resolve(response),
  };
  return new type(createConfiguration({ baseServer: new ServerConfiguration(cluster.server, {}), authMethods: { default: kc }, promiseMiddleware: [keepAlive] }));
}
