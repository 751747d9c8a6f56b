/**
 * The Kubernetes edge of agent authentication: TokenReview and a pod GET through client-node. Both are
 * retried briefly on a transient failure (no answer, 429, 5xx): one 503 must not cost the agent its session
 * and a backoff.
 */
import { AuthenticationV1Api, CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { CniMigrateError } from '../../shared/errors.js';
import type { AuthApi } from '../gate/authenticator.js';
import type { PodPlacement } from '../gate/principal.js';
import type { ReviewedToken } from '../gate/principal.js';
import { httpStatusOf } from '../../shared/http-status.js';
import { retryTransient } from '../../shared/retry-transient.js';
import { inFlightLimit } from './in-flight-limit.js';
import { apiClient } from './api-client.js';

/** How long one authentication read retries a transient failure. */
const AUTH_RETRY_MS = 3000;

/** TokenReviews and pod reads in flight at once (the rest wait): enough to keep the API server busy, few enough connections to hold. */
export const AUTH_CALLS_IN_FLIGHT = 16;

export function kubeAuthApi(kc: KubeConfig): AuthApi {
  const auth = apiClient(kc, AuthenticationV1Api);
  const core = apiClient(kc, CoreV1Api);
  const limited = inFlightLimit(AUTH_CALLS_IN_FLIGHT);
  return {
    async reviewToken(token, audience): Promise<ReviewedToken> {
      try {
        const body = { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token, audiences: [audience] } };
        const review = await limited(() => retryTransient(() => auth.createTokenReview({ body }), Date.now() + AUTH_RETRY_MS));
        const status = review.status ?? {};
        return {
          authenticated: status.authenticated === true,
          username: status.user?.username,
          audiences: status.audiences,
          extra: status.user?.extra,
          error: status.error,
        };
      } catch (e) {
        throw new CniMigrateError('KubeApi', 'TokenReview failed', { cause: e });
      }
    },
    async readPodPlacement(namespace, name): Promise<PodPlacement | undefined> {
      try {
        const pod = await limited(() => retryTransient(() => core.readNamespacedPod({ namespace, name }), Date.now() + AUTH_RETRY_MS));
        return { uid: pod.metadata?.uid ?? '', nodeName: pod.spec?.nodeName };
      } catch (e) {
        if (httpStatusOf(e) === 404) return undefined;
        throw new CniMigrateError('KubeApi', `GET pod ${namespace}/${name} failed`, { cause: e });
      }
    },
  };
}
