/**
 * The coordinator's HTTP API for agents. Mount the router on any express app (the coordinator's server,
 * the demo, tests); `startGateServer` serves it alone.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import express, { type Router } from 'express';
import type { CoordinatorConfig } from '../../shared/config.js';
import { MAX_BODY_BYTES, type RegisterResponse } from '../../shared/api.js';
import type { Logger } from '../../shared/logger.js';
import type { AgentDirectory } from '../ports.js';
import { createTokenReviewAuthenticator, type AgentAuthenticator } from './authenticator.js';
import { kubeAuthApi } from '../kube/token-review.js';
import type { WatchedPlacements } from '../kube/pod-placements.js';
import { gateErrorHandler, notFound } from './errors.js';
import { addAgentRoutes, jsonBodies } from './routes.js';
import { addProbeRoutes, type ProbeRouteDeps } from './probe-routes.js';
import type { ProbeDirectory } from '../ports.js';

export type { AgentAuthenticator, AuthApi } from './authenticator.js';
export { createTokenReviewAuthenticator } from './authenticator.js';
export { kubeAuthApi } from '../kube/token-review.js';
export type { AgentPrincipal, PrincipalRules } from './principal.js';
export { startGateServer, type GateServer } from './server.js';

export interface GateLimits {
  /** Largest accepted request body (413 beyond). */
  maxBodyBytes: number;
  /** Told to agents at registration. */
  heartbeatIntervalSeconds: number;
  /** Told to agents at registration: how long each order long-poll waits. */
  longPollSeconds: number;
}

export const DEFAULT_GATE_LIMITS: GateLimits = {
  maxBodyBytes: MAX_BODY_BYTES,
  heartbeatIntervalSeconds: 10,
  longPollSeconds: 30,
};

export interface GateRouterDeps {
  directory: AgentDirectory;
  auth: AgentAuthenticator;
  log: Logger;
  limits?: Partial<GateLimits>;
  /** The zero-downtime probe's reports, authenticated as its own ServiceAccount. */
  probes?: ProbeRouteDeps;
}

export function createGateRouter({ directory, auth, log, limits, probes }: GateRouterDeps): Router {
  const l: GateLimits = { ...DEFAULT_GATE_LIMITS, ...limits };
  const timing: RegisterResponse = {
    heartbeatIntervalSeconds: l.heartbeatIntervalSeconds,
    longPollSeconds: l.longPollSeconds,
  };
  const router = express.Router();
  router.use(jsonBodies(l.maxBodyBytes));
  addAgentRoutes(router, { directory, auth, log, timing });
  if (probes) addProbeRoutes(router, probes);
  router.use(notFound);
  router.use(gateErrorHandler(log));
  return router;
}

/** The gate as the coordinator runs it: TokenReview through `kc`, rules and cache from the coordinator config. */
export function createCoordinatorGate(deps: {
  kc: KubeConfig;
  config: Pick<CoordinatorConfig, 'namespace' | 'agentServiceAccount' | 'probeServiceAccount' | 'audience' | 'tokenCacheSeconds'>;
  directory: AgentDirectory;
  probes: ProbeDirectory;
  log: Logger;
  limits?: Partial<GateLimits>;
  /** Where the namespace's pods run, watched (else each reviewed token's pod is read once). */
  placements?: WatchedPlacements;
}): Router {
  const { kc, config, directory, log } = deps;
  const authFor = (serviceAccount: string): AgentAuthenticator =>
    createTokenReviewAuthenticator({
      api: kubeAuthApi(kc),
      rules: { namespace: config.namespace, serviceAccount, audience: config.audience },
      cacheSeconds: config.tokenCacheSeconds,
      log,
      ...(deps.placements ? { watched: deps.placements } : {}),
    });
  const probes = { directory: deps.probes, auth: authFor(config.probeServiceAccount), log };
  return createGateRouter({ directory, auth: authFor(config.agentServiceAccount), log, probes, ...(deps.limits ? { limits: deps.limits } : {}) });
}
