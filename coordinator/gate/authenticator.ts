/**
 * Proves that a bearer token belongs to a cni-migrate agent running on the node it speaks for:
 * TokenReview (audience-bound), the agent ServiceAccount, a pod-bound token, and that pod (same uid)
 * scheduled on the node. Successes are cached briefly; failures are not cached.
 */
import type { Logger } from '../../shared/logger.js';
import {
  principalFromReview,
  requirePodOnNode,
  type AgentPrincipal,
  type PodPlacement,
  type PrincipalRules,
  type ReviewedToken,
} from './principal.js';
import { TokenCache } from './token-cache.js';

/** The narrow seam the gate depends on; unit tests pass a fake. */
export interface AgentAuthenticator {
  /** Resolves to the token's agent when it may speak for `nodeName`; throws Unauthorized or Forbidden. */
  authenticate(token: string, nodeName: string): Promise<AgentPrincipal>;
}

/** The two API calls authentication needs. */
export interface AuthApi {
  reviewToken(token: string, audience: string): Promise<ReviewedToken>;
  /** undefined when the pod does not exist. */
  readPodPlacement(namespace: string, name: string): Promise<PodPlacement | undefined>;
}

export interface TokenReviewAuthenticatorOptions {
  api: AuthApi;
  rules: PrincipalRules;
  cacheSeconds: number;
  log: Logger;
  now?: () => number;
}

export function createTokenReviewAuthenticator(opts: TokenReviewAuthenticatorOptions): AgentAuthenticator {
  const cache = new TokenCache(opts.cacheSeconds * 1000, opts.now);
  return {
    async authenticate(token, nodeName) {
      const cached = cache.get(token);
      if (cached !== undefined) {
        requirePodOnNode(cached.principal, cached.pod, nodeName);
        return cached.principal;
      }
      const review = await opts.api.reviewToken(token, opts.rules.audience);
      const principal = principalFromReview(review, opts.rules);
      const pod = await opts.api.readPodPlacement(principal.namespace, principal.podName);
      requirePodOnNode(principal, pod, nodeName);
      if (pod !== undefined) cache.remember(token, { principal, pod });
      opts.log.debug({ node: nodeName, pod: principal.podName }, 'agent token reviewed');
      return principal;
    },
  };
}
