/**
 * Proves that a bearer token belongs to a cni-migrate agent running on the node it speaks for:
 * TokenReview (audience-bound), the agent ServiceAccount, a pod-bound token, and that pod (same uid)
 * scheduled on the node. Successes are cached briefly, tokens the review rejected too; where a pod runs is
 * remembered by its uid (a pod never moves, and the TokenReview of a pod-bound token already fails once that
 * pod is gone or replaced), so a token reviewed again costs no pod GET, nor does a pod a watch already showed; concurrent requests
 * with the same unknown token share one review; and one source address may cause only so many reviews
 * (429 beyond), so unauthenticated traffic cannot turn into TokenReviews one for one.
 */
import { CniMigrateError, ForbiddenError, UnauthorizedError } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';
import {
  principalFromReview,
  requirePodOnNode,
  type AgentPrincipal,
  type PodPlacement,
  type PrincipalRules,
  type ReviewedToken,
} from './principal.js';
import { DEFAULT_REVIEW_LIMITS, RejectedTokens, SourceBuckets, type ReviewLimits } from './review-limits.js';
import { PodPlacements, TokenCache, tokenKey, type CachedAgent } from './token-cache.js';

/** The narrow seam the gate depends on; unit tests pass a fake. */
export interface AgentAuthenticator {
  /**
   * Resolves to the token's agent when it may speak for `nodeName`; throws Unauthorized or Forbidden, or
   * TooManyRequests when `source` (the client's address) caused too many reviews.
   */
  authenticate(token: string, nodeName: string, source?: string): Promise<AgentPrincipal>;
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
  limits?: Partial<ReviewLimits>;
  /** Where pods run as a watch of the namespace shows them; a pod it has not shown yet is read from the API. */
  watched?: { placement(name: string, uid: string): PodPlacement | undefined };
}

/** What the review said about the token itself (not about the API): worth remembering. */
const isVerdict = (e: unknown): e is Error => e instanceof UnauthorizedError || e instanceof ForbiddenError;

export function createTokenReviewAuthenticator(opts: TokenReviewAuthenticatorOptions): AgentAuthenticator {
  const now = opts.now ?? Date.now;
  const limits = { ...DEFAULT_REVIEW_LIMITS, ...opts.limits };
  const cache = new TokenCache(opts.cacheSeconds * 1000, now);
  const rejected = new RejectedTokens(limits.rejectedTtlMs, now);
  const buckets = new SourceBuckets(limits, now);
  const inFlight = new Map<string, Promise<CachedAgent>>();
  const placements = new PodPlacements();

  /** TokenReview, then the token's pod: the principal and where its pod runs. */
  async function review(token: string): Promise<CachedAgent> {
    try {
      const principal = principalFromReview(await opts.api.reviewToken(token, opts.rules.audience), opts.rules);
      const pod =
        placements.get(principal.podUid) ??
        opts.watched?.placement(principal.podName, principal.podUid) ??
        (await opts.api.readPodPlacement(principal.namespace, principal.podName));
      if (pod === undefined) throw new ForbiddenError(`pod ${principal.podName} of the token no longer exists`);
      if (pod.uid === principal.podUid && pod.nodeName !== undefined) placements.remember(pod.uid, pod);
      cache.remember(token, { principal, pod });
      return { principal, pod };
    } catch (e) {
      if (isVerdict(e)) rejected.remember(token, e);
      throw e;
    }
  }

  /** One review per unknown token at a time; the others wait for its answer. */
  function shared(token: string, source: string): Promise<CachedAgent> {
    const key = tokenKey(token);
    const running = inFlight.get(key);
    if (running !== undefined) return running;
    if (!buckets.take(source)) {
      throw new CniMigrateError('TooManyRequests', `too many unauthenticated requests from ${source}; retry later`);
    }
    const started = review(token).finally(() => inFlight.delete(key));
    inFlight.set(key, started);
    return started;
  }

  /**
   * A reviewed token past the cache's TTL stays trusted, without another TokenReview, while the watch of the
   * namespace's pods shows its pod (same uid, same node) and the token has not expired: what a review would
   * check again (a pod-bound token dies with its pod). Otherwise every agent would be reviewed once per TTL for as
   * long as the rollout lasts, a cost per node that grows with the cluster's size. Without the watch, it is
   * reviewed again.
   */
  function renewed(token: string): CachedAgent | undefined {
    const lapsed = cache.lapsed(token);
    if (lapsed === undefined || opts.watched === undefined) return undefined;
    const pod = opts.watched.placement(lapsed.principal.podName, lapsed.principal.podUid);
    if (pod === undefined || pod.nodeName !== lapsed.pod.nodeName) return undefined;
    cache.remember(token, lapsed);
    return lapsed;
  }

  return {
    async authenticate(token, nodeName, source = 'unknown') {
      const known = cache.get(token) ?? renewed(token);
      if (known !== undefined) {
        requirePodOnNode(known.principal, known.pod, nodeName);
        return known.principal;
      }
      const refused = rejected.get(token);
      if (refused !== undefined) throw refused;
      const { principal, pod } = await shared(token, source);
      requirePodOnNode(principal, pod, nodeName);
      opts.log.debug({ node: nodeName, pod: principal.podName }, 'agent token reviewed');
      return principal;
    },
  };
}
