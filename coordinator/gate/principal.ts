/**
 * Pure decisions of agent authentication: who a reviewed token names, and whether that agent may speak
 * for a node. No I/O here; the authenticator feeds these from TokenReview and a pod GET.
 */
import { ForbiddenError, UnauthorizedError } from '../../shared/errors.js';
import { TOKEN_EXTRA_POD_NAME, TOKEN_EXTRA_POD_UID } from '../../shared/names.js';

/** The parts of a TokenReview status the gate relies on. */
export interface ReviewedToken {
  authenticated: boolean;
  username?: string;
  audiences?: string[];
  extra?: Record<string, string[]>;
  error?: string;
}

/** The agent a token belongs to: its ServiceAccount namespace and the pod it is bound to. */
export interface AgentPrincipal {
  namespace: string;
  podName: string;
  podUid: string;
}

export interface PrincipalRules {
  /** The namespace agents run in. */
  namespace: string;
  /** The only ServiceAccount agents may use. */
  serviceAccount: string;
  /** The audience every agent token must carry. */
  audience: string;
}

/** What a pod GET says about where the token's pod runs. */
export interface PodPlacement {
  uid: string;
  nodeName: string | undefined;
}

const firstExtra = (extra: Record<string, string[]> | undefined, key: string): string | undefined => extra?.[key]?.[0];

/** The principal named by a TokenReview result, or Unauthorized / Forbidden. */
export function principalFromReview(review: ReviewedToken, rules: PrincipalRules): AgentPrincipal {
  if (!review.authenticated) {
    throw new UnauthorizedError(`token rejected: ${review.error ?? 'not authenticated'}`);
  }
  if (review.audiences !== undefined && !review.audiences.includes(rules.audience)) {
    throw new UnauthorizedError(`token audiences do not include ${rules.audience}`);
  }
  const expectedUser = `system:serviceaccount:${rules.namespace}:${rules.serviceAccount}`;
  if (review.username !== expectedUser) {
    throw new ForbiddenError(`user ${review.username ?? '(none)'} is not ${expectedUser}`);
  }
  const podName = firstExtra(review.extra, TOKEN_EXTRA_POD_NAME);
  const podUid = firstExtra(review.extra, TOKEN_EXTRA_POD_UID);
  if (podName === undefined || podUid === undefined) {
    throw new ForbiddenError('token is not bound to a pod');
  }
  return { namespace: rules.namespace, podName, podUid };
}

/** Passes only when the token's pod (same uid) runs on `nodeName`; otherwise Forbidden. */
export function requirePodOnNode(principal: AgentPrincipal, pod: PodPlacement | undefined, nodeName: string): void {
  if (pod === undefined) throw new ForbiddenError(`pod ${principal.podName} of the token no longer exists`);
  if (pod.uid !== principal.podUid) {
    throw new ForbiddenError(`pod ${principal.podName} was replaced (uid ${pod.uid}, token for ${principal.podUid})`);
  }
  if (pod.nodeName !== nodeName) {
    throw new ForbiddenError(`pod ${principal.podName} runs on ${pod.nodeName ?? 'no node'}, not on ${nodeName}`);
  }
}

/** The body may name the agent's pod; it must then be the token's pod. */
export function requireSamePod(principal: AgentPrincipal, claimedPodName: string | undefined): void {
  if (claimedPodName !== undefined && claimedPodName !== principal.podName) {
    throw new ForbiddenError(`body names pod ${claimedPodName} but the token is bound to ${principal.podName}`);
  }
}
